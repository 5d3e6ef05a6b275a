//! Data services: RDS, ElastiCache, S3, DynamoDB, Glue, Athena and SageMaker. RDS and
//! ElastiCache take minutes; their creates and deletes wait, reporting progress. RDS cannot be
//! filtered by tag (on AWS either), so it is found by identifier and its tags are checked.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    ScalarAttributeType, SseSpecification, TableStatus,
};
use serde_json::{Map, Value};

use super::error::AwsResult;
use super::network::delete_outcome;
use super::wait::Poll;
use super::{Gone, Job, Made, obj};
use crate::provider::ProviderError;

fn s(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::String(x.to_string()))
}

// ---- RDS ----

fn rds_tags(job: &Job<'_>) -> Vec<aws_sdk_rds::types::Tag> {
    job.tags
        .iter()
        .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
        .collect()
}

fn rds_ours(job: &Job<'_>, tags: &[aws_sdk_rds::types::Tag]) -> bool {
    job.is_ours(tags.iter().filter_map(|t| Some((t.key()?, t.value()?))))
}

pub async fn db_subnet_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.rds;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_db_subnet_groups()
        .db_subnet_group_name(name)
        .send()
        .await
        .found(&doing)?;
    if let Some(group) = found.and_then(|o| o.db_subnet_groups().first().cloned()) {
        let arn = group.db_subnet_group_arn().unwrap_or_default().to_string();
        let tags = c
            .list_tags_for_resource()
            .resource_name(&arn)
            .send()
            .await
            .aws(&doing)?;
        if !rds_ours(job, tags.tag_list()) {
            return Err(job.taken("database subnet group", name));
        }
        return Ok(Made::new(name).with("arn", arn).with("name", name));
    }
    let out = c
        .create_db_subnet_group()
        .db_subnet_group_name(name)
        .db_subnet_group_description(job.v.opt_str("description").unwrap_or("Managed by paved"))
        .set_subnet_ids(Some(job.v.strs("subnet_ids")))
        .set_tags(Some(rds_tags(job)))
        .send()
        .await
        .aws(&doing)?;
    let arn = out
        .db_subnet_group()
        .and_then(|g| g.db_subnet_group_arn())
        .unwrap_or_default()
        .to_string();
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_db_subnet_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.rds
        .delete_db_subnet_group()
        .db_subnet_group_name(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["InvalidDBSubnetGroupStateFault"]))
}

pub async fn describe_db_subnet_group(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.rds
            .describe_db_subnet_groups()
            .db_subnet_group_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.db_subnet_groups().first().cloned())
        .map(|group| {
            let subnets = in_recorded_order(
                group.subnets().iter().filter_map(|s| s.subnet_identifier().map(str::to_string)).collect(),
                g.values().strs("subnet_ids"),
            );
            obj([
                ("name", s(group.db_subnet_group_name())),
                ("subnet_ids", Some(Value::from(subnets))),
            ])
        }))
}

/// AWS lists a subnet group's subnets in its own order; when they are the recorded ones, the
/// plan's order (what the inventory holds) is kept, so that only a real difference is drift.
fn in_recorded_order(found: Vec<String>, recorded: Vec<String>) -> Vec<String> {
    if found.len() == recorded.len() && found.iter().all(|s| recorded.contains(s)) { recorded } else { found }
}

async fn db_status(
    c: &aws_sdk_rds::Client,
    id: &str,
    doing: &str,
) -> Result<Option<String>, ProviderError> {
    let out = c
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .found(doing)?;
    Ok(out.and_then(|o| {
        o.db_instances()
            .first()
            .map(|d| d.db_instance_status().unwrap_or("unknown").to_string())
    }))
}

pub async fn db_instance(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.rds;
    let doing = format!("create {}", job.address);
    let id = job.v.str("identifier")?;
    let found = c
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .found(&doing)?;
    let existing = found.and_then(|o| o.db_instances().first().cloned());
    if let Some(db) = &existing {
        if !rds_ours(job, db.tag_list()) {
            return Err(job.taken("database", id));
        }
    } else {
        let v = &job.v;
        let managed = v.bool_or(
            "manage_master_user_password",
            v.opt_str("password").is_none(),
        );
        c.create_db_instance()
            .db_instance_identifier(id)
            .db_instance_class(v.str("instance_class")?)
            .engine(v.str("engine")?)
            .set_engine_version(v.opt_text("engine_version"))
            .set_allocated_storage(v.opt_i32("allocated_storage"))
            .set_max_allocated_storage(v.opt_i32("max_allocated_storage"))
            .set_storage_type(v.opt_str("storage_type").map(str::to_string))
            .set_iops(v.opt_i32("iops"))
            .set_storage_encrypted(v.opt_bool("storage_encrypted"))
            .set_kms_key_id(v.opt_str("kms_key_id").map(str::to_string))
            .set_multi_az(v.opt_bool("multi_az"))
            .set_db_subnet_group_name(v.opt_str("db_subnet_group_name").map(str::to_string))
            .set_vpc_security_group_ids(Some(v.strs("vpc_security_group_ids")))
            .set_db_name(v.opt_str("db_name").map(str::to_string))
            .set_master_username(v.opt_str("username").map(str::to_string))
            .set_master_user_password(if managed {
                None
            } else {
                v.opt_str("password").map(str::to_string)
            })
            .set_manage_master_user_password(Some(managed))
            .set_backup_retention_period(v.opt_i32("backup_retention_period"))
            .set_preferred_backup_window(v.opt_str("backup_window").map(str::to_string))
            .set_preferred_maintenance_window(v.opt_str("maintenance_window").map(str::to_string))
            .set_auto_minor_version_upgrade(v.opt_bool("auto_minor_version_upgrade"))
            .set_copy_tags_to_snapshot(v.opt_bool("copy_tags_to_snapshot"))
            .set_deletion_protection(v.opt_bool("deletion_protection"))
            .set_publicly_accessible(v.opt_bool("publicly_accessible"))
            .set_enable_iam_database_authentication(
                v.opt_bool("iam_database_authentication_enabled"),
            )
            .set_enable_performance_insights(v.opt_bool("performance_insights_enabled"))
            .set_enable_cloudwatch_logs_exports(
                v.get("enabled_cloudwatch_logs_exports")
                    .map(|_| v.strs("enabled_cloudwatch_logs_exports")),
            )
            .set_tags(Some(rds_tags(job)))
            .send()
            .await
            .aws(&doing)?;
    }
    let rds = c.clone();
    let ident = id.to_string();
    job.wait
        .until("available", || {
            let (rds, ident, doing) = (rds.clone(), ident.clone(), doing.clone());
            async move {
                Ok(match db_status(&rds, &ident, &doing).await?.as_deref() {
                    Some("available") => Poll::Ready,
                    Some(
                        bad @ ("failed"
                        | "incompatible-parameters"
                        | "incompatible-network"
                        | "storage-full"
                        | "inaccessible-encryption-credentials"),
                    ) => Poll::Failed(format!(
                        "The database {ident} cannot start: AWS reports it as {bad}."
                    )),
                    Some(other) => Poll::Pending(other.to_string()),
                    None => Poll::Pending("not visible yet".into()),
                })
            }
        })
        .await?;
    let out = c
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .aws(&doing)?;
    let db = out
        .db_instances()
        .first()
        .cloned()
        .unwrap_or_else(|| aws_sdk_rds::types::DbInstance::builder().build());
    let endpoint = db.endpoint();
    Ok(Made::new(id)
        .with("arn", db.db_instance_arn().unwrap_or_default())
        .with("identifier", id)
        .with(
            "address",
            endpoint.and_then(|e| e.address()).unwrap_or_default(),
        )
        .with("port", endpoint.and_then(|e| e.port()).unwrap_or_default())
        .with(
            "endpoint",
            endpoint
                .map(|e| {
                    format!(
                        "{}:{}",
                        e.address().unwrap_or_default(),
                        e.port().unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
        )
        .with("resource_id", db.dbi_resource_id().unwrap_or_default())
        .with(
            "master_user_secret_arn",
            db.master_user_secret()
                .and_then(|s| s.secret_arn())
                .unwrap_or_default(),
        ))
}

pub async fn delete_db_instance(g: &Gone<'_>) -> Result<(), ProviderError> {
    let c = &g.c.rds;
    let doing = format!("delete {}", g.item.address);
    let v = g.values();
    let Some(status) = db_status(c, g.id(), &doing).await? else {
        return Ok(());
    };
    if status != "deleting" {
        if v.bool_or("deletion_protection", false) {
            // Rolling back is a decision people approved; deletion protection guards against accidents.
            c.modify_db_instance()
                .db_instance_identifier(g.id())
                .deletion_protection(false)
                .apply_immediately(true)
                .send()
                .await
                .gone(&doing)?;
        }
        // The plan's snapshot policy: a final snapshot unless the plan skips it; without a word
        // from the plan, production keeps one.
        let skip = v.bool_or("skip_final_snapshot", !g.production());
        let mut req = c
            .delete_db_instance()
            .db_instance_identifier(g.id())
            .skip_final_snapshot(skip)
            .delete_automated_backups(v.bool_or("delete_automated_backups", true));
        if !skip {
            let name = v
                .opt_str("final_snapshot_identifier")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}-final", g.id()));
            req = req.final_db_snapshot_identifier(name);
        }
        req.send()
            .await
            .map(|_| ())
            .or_else(delete_outcome(&doing, &["InvalidDBInstanceState"]))?;
    }
    let rds = c.clone();
    let ident = g.id().to_string();
    g.wait
        .until("deleted", || {
            let (rds, ident, doing) = (rds.clone(), ident.clone(), doing.clone());
            async move {
                Ok(match db_status(&rds, &ident, &doing).await? {
                    None => Poll::Ready,
                    Some(s) => Poll::Pending(s),
                })
            }
        })
        .await
}

pub async fn describe_db_instance(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.rds
            .describe_db_instances()
            .db_instance_identifier(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.db_instances().first().cloned())
        .filter(|d| d.db_instance_status() != Some("deleting"))
        .map(|d| {
            obj([
                ("identifier", s(d.db_instance_identifier())),
                ("instance_class", s(d.db_instance_class())),
                ("engine", s(d.engine())),
                ("allocated_storage", d.allocated_storage().map(Value::from)),
                (
                    "max_allocated_storage",
                    d.max_allocated_storage().map(Value::from),
                ),
                ("storage_type", s(d.storage_type())),
                ("storage_encrypted", d.storage_encrypted().map(Value::Bool)),
                ("multi_az", d.multi_az().map(Value::Bool)),
                (
                    "publicly_accessible",
                    d.publicly_accessible().map(Value::Bool),
                ),
                (
                    "backup_retention_period",
                    d.backup_retention_period().map(Value::from),
                ),
                (
                    "deletion_protection",
                    d.deletion_protection().map(Value::Bool),
                ),
                (
                    "db_subnet_group_name",
                    s(d.db_subnet_group().and_then(|g| g.db_subnet_group_name())),
                ),
                ("username", s(d.master_username())),
            ])
        }))
}

// ---- ElastiCache ----

fn cache_tags(job: &Job<'_>) -> Vec<aws_sdk_elasticache::types::Tag> {
    job.tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_elasticache::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

async fn cache_is_ours(job: &Job<'_>, arn: &str) -> Result<bool, ProviderError> {
    let out = job
        .c
        .elasticache
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .aws(&format!("read the tags of {}", job.address))?;
    Ok(job.is_ours(
        out.tag_list()
            .iter()
            .filter_map(|t| Some((t.key()?, t.value()?))),
    ))
}

pub async fn cache_subnet_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.elasticache;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_cache_subnet_groups()
        .cache_subnet_group_name(name)
        .send()
        .await
        .found(&doing)?;
    if let Some(group) = found.and_then(|o| o.cache_subnet_groups().first().cloned()) {
        let arn = group.arn().unwrap_or_default().to_string();
        if !cache_is_ours(job, &arn).await? {
            return Err(job.taken("cache subnet group", name));
        }
        return Ok(Made::new(name).with("arn", arn).with("name", name));
    }
    let out = c
        .create_cache_subnet_group()
        .cache_subnet_group_name(name)
        .cache_subnet_group_description(job.v.opt_str("description").unwrap_or("Managed by paved"))
        .set_subnet_ids(Some(job.v.strs("subnet_ids")))
        .set_tags(Some(cache_tags(job)))
        .send()
        .await
        .aws(&doing)?;
    let arn = out
        .cache_subnet_group()
        .and_then(|g| g.arn())
        .unwrap_or_default()
        .to_string();
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_cache_subnet_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.elasticache
        .delete_cache_subnet_group()
        .cache_subnet_group_name(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["CacheSubnetGroupInUse"]))
}

pub async fn describe_cache_subnet_group(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.elasticache
            .describe_cache_subnet_groups()
            .cache_subnet_group_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.cache_subnet_groups().first().cloned())
        .map(|group| {
            let subnets = in_recorded_order(
                group.subnets().iter().filter_map(|s| s.subnet_identifier().map(str::to_string)).collect(),
                g.values().strs("subnet_ids"),
            );
            obj([
                ("name", s(group.cache_subnet_group_name())),
                ("subnet_ids", Some(Value::from(subnets))),
            ])
        }))
}

async fn group_status(
    c: &aws_sdk_elasticache::Client,
    id: &str,
    doing: &str,
) -> Result<Option<aws_sdk_elasticache::types::ReplicationGroup>, ProviderError> {
    let out = c
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await
        .found(doing)?;
    Ok(out.and_then(|o| o.replication_groups().first().cloned()))
}

pub async fn replication_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.elasticache;
    let doing = format!("create {}", job.address);
    let id = job.v.str("replication_group_id")?;
    if let Some(group) = group_status(c, id, &doing).await? {
        if !cache_is_ours(job, group.arn().unwrap_or_default()).await? {
            return Err(job.taken("cache", id));
        }
    } else {
        let v = &job.v;
        c.create_replication_group()
            .replication_group_id(id)
            .replication_group_description(v.opt_str("description").unwrap_or("Managed by paved"))
            .set_engine(v.opt_str("engine").map(str::to_string))
            .set_engine_version(v.opt_text("engine_version"))
            .set_cache_node_type(v.opt_str("node_type").map(str::to_string))
            .set_num_cache_clusters(v.opt_i32("num_cache_clusters"))
            .set_port(v.opt_i32("port"))
            .set_automatic_failover_enabled(v.opt_bool("automatic_failover_enabled"))
            .set_multi_az_enabled(v.opt_bool("multi_az_enabled"))
            .set_at_rest_encryption_enabled(v.opt_bool("at_rest_encryption_enabled"))
            .set_transit_encryption_enabled(v.opt_bool("transit_encryption_enabled"))
            .set_kms_key_id(v.opt_str("kms_key_id").map(str::to_string))
            .set_security_group_ids(Some(v.strs("security_group_ids")))
            .set_cache_subnet_group_name(v.opt_str("subnet_group_name").map(str::to_string))
            .set_snapshot_retention_limit(v.opt_i32("snapshot_retention_limit"))
            .set_auto_minor_version_upgrade(v.opt_bool("auto_minor_version_upgrade"))
            .set_tags(Some(cache_tags(job)))
            .send()
            .await
            .aws(&doing)?;
    }
    let ec = c.clone();
    let ident = id.to_string();
    job.wait
        .until("available", || {
            let (ec, ident, doing) = (ec.clone(), ident.clone(), doing.clone());
            async move {
                Ok(
                    match group_status(&ec, &ident, &doing)
                        .await?
                        .and_then(|g| g.status().map(str::to_string))
                        .as_deref()
                    {
                        Some("available") => Poll::Ready,
                        Some("create-failed") => Poll::Failed(format!(
                            "The cache {ident} could not be created; AWS reports create-failed."
                        )),
                        Some(other) => Poll::Pending(other.to_string()),
                        None => Poll::Pending("not visible yet".into()),
                    },
                )
            }
        })
        .await?;
    let group = group_status(c, id, &doing).await?;
    let primary = group
        .as_ref()
        .and_then(|g| g.node_groups().first())
        .and_then(|n| n.primary_endpoint())
        .and_then(|e| e.address())
        .unwrap_or_default()
        .to_string();
    Ok(Made::new(id)
        .with(
            "arn",
            group.as_ref().and_then(|g| g.arn()).unwrap_or_default(),
        )
        .with("primary_endpoint_address", primary))
}

pub async fn delete_replication_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    let c = &g.c.elasticache;
    let doing = format!("delete {}", g.item.address);
    let Some(group) = group_status(c, g.id(), &doing).await? else {
        return Ok(());
    };
    if group.status() != Some("deleting") {
        let mut req = c.delete_replication_group().replication_group_id(g.id());
        if let Some(name) = g.values().opt_str("final_snapshot_identifier") {
            req = req.final_snapshot_identifier(name);
        }
        req.send()
            .await
            .map(|_| ())
            .or_else(delete_outcome(&doing, &["InvalidReplicationGroupState"]))?;
    }
    let ec = c.clone();
    let ident = g.id().to_string();
    g.wait
        .until("deleted", || {
            let (ec, ident, doing) = (ec.clone(), ident.clone(), doing.clone());
            async move {
                Ok(match group_status(&ec, &ident, &doing).await? {
                    None => Poll::Ready,
                    Some(group) => Poll::Pending(group.status().unwrap_or("deleting").to_string()),
                })
            }
        })
        .await
}

pub async fn describe_replication_group(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let group = group_status(
        &g.c.elasticache,
        g.id(),
        &format!("read {}", g.item.address),
    )
    .await?;
    Ok(group.filter(|r| r.status() != Some("deleting")).map(|r| {
        use aws_sdk_elasticache::types::{AutomaticFailoverStatus, MultiAzStatus};
        obj([
            ("replication_group_id", s(r.replication_group_id())),
            ("description", s(r.description())),
            ("node_type", s(r.cache_node_type())),
            (
                "num_cache_clusters",
                Some(Value::from(r.member_clusters().len())),
            ),
            (
                "at_rest_encryption_enabled",
                r.at_rest_encryption_enabled().map(Value::Bool),
            ),
            (
                "transit_encryption_enabled",
                r.transit_encryption_enabled().map(Value::Bool),
            ),
            (
                "automatic_failover_enabled",
                r.automatic_failover().map(|a| {
                    Value::Bool(matches!(
                        a,
                        AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling
                    ))
                }),
            ),
            (
                "multi_az_enabled",
                r.multi_az()
                    .map(|m| Value::Bool(*m == MultiAzStatus::Enabled)),
            ),
            (
                "snapshot_retention_limit",
                r.snapshot_retention_limit().map(Value::from),
            ),
        ])
    }))
}

// ---- S3 ----

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus,
    CreateBucketConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, NoncurrentVersionExpiration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Tagging, Transition, TransitionStorageClass, VersioningConfiguration,
};

fn s3_err(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::permanent(e.to_string())
}

pub async fn bucket(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.s3;
    let doing = format!("create {}", job.address);
    let name = job.v.str("bucket")?;
    let exists = c.head_bucket().bucket(name).send().await.found(&doing);
    let exists = match exists {
        Ok(found) => found.is_some(),
        // 403: the name belongs to another account.
        Err(e) if !e.transient => return Err(job.taken("bucket (in another account)", name)),
        Err(e) => return Err(e),
    };
    if exists {
        let tags = c
            .get_bucket_tagging()
            .bucket(name)
            .send()
            .await
            .found(&doing)?;
        let ours = tags
            .map(|t| job.is_ours(t.tag_set().iter().map(|t| (t.key(), t.value()))))
            .unwrap_or(false);
        if !ours {
            return Err(job.taken("bucket", name));
        }
    } else {
        let mut req = c.create_bucket().bucket(name);
        if job.c.region != "us-east-1" {
            req = req.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(job.c.region.as_str()))
                    .build(),
            );
        }
        req.send().await.map(|_| ()).or_else(|e| {
            let f = super::error::Failure::of(&e);
            if f.code_is("BucketAlreadyOwnedByYou") {
                Ok(())
            } else {
                Err(f.into_error(&doing))
            }
        })?;
    }
    let tag_set = job
        .tags
        .iter()
        .map(|(k, v)| aws_sdk_s3::types::Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(s3_err)?;
    c.put_bucket_tagging()
        .bucket(name)
        .tagging(
            Tagging::builder()
                .set_tag_set(Some(tag_set))
                .build()
                .map_err(s3_err)?,
        )
        .send()
        .await
        .aws(&doing)?;
    if let Some(sse) = job.v.block("server_side_encryption_configuration") {
        let mut rules = Vec::new();
        for rule in sse.blocks("rule") {
            let default = rule
                .block("apply_server_side_encryption_by_default")
                .map(|d| {
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::from(
                            d.opt_str("sse_algorithm").unwrap_or("AES256"),
                        ))
                        .set_kms_master_key_id(d.opt_str("kms_master_key_id").map(str::to_string))
                        .build()
                });
            rules.push(
                ServerSideEncryptionRule::builder()
                    .set_apply_server_side_encryption_by_default(
                        default.transpose().map_err(s3_err)?,
                    )
                    .set_bucket_key_enabled(rule.opt_bool("bucket_key_enabled"))
                    .build(),
            );
        }
        c.put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .set_rules(Some(rules))
                    .build()
                    .map_err(s3_err)?,
            )
            .send()
            .await
            .aws(&doing)?;
    }
    if let Some(enabled) = job
        .v
        .block("versioning")
        .and_then(|v| v.opt_bool("enabled"))
    {
        // A new bucket is unversioned; "suspended" is only meaningful after versioning was on.
        if enabled || exists {
            let status = if enabled {
                BucketVersioningStatus::Enabled
            } else {
                BucketVersioningStatus::Suspended
            };
            c.put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(VersioningConfiguration::builder().status(status).build())
                .send()
                .await
                .aws(&doing)?;
        }
    }
    let rules = job.v.blocks("lifecycle_rule");
    if !rules.is_empty() {
        let mut lifecycle = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let mut b = LifecycleRule::builder()
                .id(r
                    .opt_str("id")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("rule-{}", i + 1)))
                .status(if r.bool_or("enabled", true) {
                    ExpirationStatus::Enabled
                } else {
                    ExpirationStatus::Disabled
                })
                .filter(
                    LifecycleRuleFilter::builder()
                        .prefix(r.opt_str("prefix").unwrap_or(""))
                        .build(),
                );
            if let Some(days) = r.block("expiration").and_then(|e| e.opt_i32("days")) {
                b = b.expiration(LifecycleExpiration::builder().days(days).build());
            }
            for t in r.blocks("transition") {
                b = b.transitions(
                    Transition::builder()
                        .set_days(t.opt_i32("days"))
                        .set_storage_class(
                            t.opt_str("storage_class").map(TransitionStorageClass::from),
                        )
                        .build(),
                );
            }
            if let Some(days) = r
                .block("noncurrent_version_expiration")
                .and_then(|e| e.opt_i32("days"))
            {
                b = b.noncurrent_version_expiration(
                    NoncurrentVersionExpiration::builder()
                        .noncurrent_days(days)
                        .build(),
                );
            }
            lifecycle.push(b.build().map_err(s3_err)?);
        }
        c.put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .set_rules(Some(lifecycle))
                    .build()
                    .map_err(s3_err)?,
            )
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name)
        .with("arn", format!("arn:aws:s3:::{name}"))
        .with("bucket", name)
        .with(
            "bucket_regional_domain_name",
            format!("{name}.s3.{}.amazonaws.com", job.c.region),
        ))
}

pub async fn delete_bucket(g: &Gone<'_>) -> Result<(), ProviderError> {
    let c = &g.c.s3;
    let doing = format!("delete {}", g.item.address);
    if g.values().bool_or("force_destroy", false) {
        // Only when the plan says the data may go with the bucket.
        loop {
            let Some(out) = c
                .list_object_versions()
                .bucket(g.id())
                .send()
                .await
                .found(&doing)?
            else {
                return Ok(());
            };
            let ids: Vec<aws_sdk_s3::types::ObjectIdentifier> = out
                .versions()
                .iter()
                .filter_map(|v| {
                    aws_sdk_s3::types::ObjectIdentifier::builder()
                        .set_key(v.key().map(str::to_string))
                        .set_version_id(v.version_id().map(str::to_string))
                        .build()
                        .ok()
                })
                .chain(out.delete_markers().iter().filter_map(|v| {
                    aws_sdk_s3::types::ObjectIdentifier::builder()
                        .set_key(v.key().map(str::to_string))
                        .set_version_id(v.version_id().map(str::to_string))
                        .build()
                        .ok()
                }))
                .collect();
            if ids.is_empty() {
                break;
            }
            c.delete_objects()
                .bucket(g.id())
                .delete(
                    aws_sdk_s3::types::Delete::builder()
                        .set_objects(Some(ids))
                        .build()
                        .map_err(s3_err)?,
                )
                .send()
                .await
                .aws(&doing)?;
        }
    }
    c.delete_bucket().bucket(g.id()).send().await.map(|_| ()).or_else(|e| {
        let f = super::error::Failure::of(&e);
        if f.not_found() {
            Ok(())
        } else if f.code_is("BucketNotEmpty") {
            Err(ProviderError::permanent(format!(
                "The bucket {} still holds objects and the plan does not allow deleting data with it; empty it, then roll back again.",
                g.id()
            )))
        } else {
            Err(f.into_error(&doing))
        }
    })
}

pub async fn describe_bucket(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let c = &g.c.s3;
    let doing = format!("read {}", g.item.address);
    if c.head_bucket()
        .bucket(g.id())
        .send()
        .await
        .found(&doing)?
        .is_none()
    {
        return Ok(None);
    }
    let mut m = obj([("bucket", Some(Value::String(g.id().to_string())))]);
    let versioning = c
        .get_bucket_versioning()
        .bucket(g.id())
        .send()
        .await
        .aws(&doing)?;
    m.insert("versioning".into(), serde_json::json!([{"enabled": versioning.status() == Some(&BucketVersioningStatus::Enabled)}]));
    if let Some(enc) = c
        .get_bucket_encryption()
        .bucket(g.id())
        .send()
        .await
        .found(&doing)?
    {
        let rules: Vec<Value> = enc
            .server_side_encryption_configuration()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .map(|r| {
                let mut default = Map::new();
                if let Some(d) = r.apply_server_side_encryption_by_default() {
                    default.insert(
                        "sse_algorithm".into(),
                        Value::String(d.sse_algorithm().as_str().to_string()),
                    );
                    if let Some(k) = d.kms_master_key_id() {
                        default.insert("kms_master_key_id".into(), Value::String(k.to_string()));
                    }
                }
                let mut rule = Map::new();
                rule.insert(
                    "apply_server_side_encryption_by_default".into(),
                    Value::Array(vec![Value::Object(default)]),
                );
                rule.insert(
                    "bucket_key_enabled".into(),
                    Value::Bool(r.bucket_key_enabled().unwrap_or(false)),
                );
                Value::Object(rule)
            })
            .collect();
        m.insert(
            "server_side_encryption_configuration".into(),
            serde_json::json!([{"rule": rules}]),
        );
    }
    if let Some(tags) = c
        .get_bucket_tagging()
        .bucket(g.id())
        .send()
        .await
        .found(&doing)?
    {
        m.insert(
            "tags".into(),
            Value::Object(
                tags.tag_set()
                    .iter()
                    .map(|t| (t.key().to_string(), Value::String(t.value().to_string())))
                    .collect(),
            ),
        );
    }
    Ok(Some(m))
}

pub async fn public_access_block(job: &Job<'_>) -> Result<Made, ProviderError> {
    let name = job.v.str("bucket")?;
    let cfg = PublicAccessBlockConfiguration::builder()
        .block_public_acls(job.v.bool_or("block_public_acls", true))
        .block_public_policy(job.v.bool_or("block_public_policy", true))
        .ignore_public_acls(job.v.bool_or("ignore_public_acls", true))
        .restrict_public_buckets(job.v.bool_or("restrict_public_buckets", true))
        .build();
    job.c
        .s3
        .put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(cfg)
        .send()
        .await
        .aws(&format!("create {}", job.address))?;
    Ok(Made::new(name).with("bucket", name))
}

pub async fn delete_public_access_block(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.s3
        .delete_public_access_block()
        .bucket(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_public_access_block(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.s3
            .get_public_access_block()
            .bucket(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.public_access_block_configuration().cloned())
        .map(|p| {
            obj([
                ("bucket", Some(Value::String(g.id().to_string()))),
                ("block_public_acls", p.block_public_acls().map(Value::Bool)),
                (
                    "block_public_policy",
                    p.block_public_policy().map(Value::Bool),
                ),
                (
                    "ignore_public_acls",
                    p.ignore_public_acls().map(Value::Bool),
                ),
                (
                    "restrict_public_buckets",
                    p.restrict_public_buckets().map(Value::Bool),
                ),
            ])
        }))
}

// ---- DynamoDB ----

pub async fn dynamodb_table(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.dynamodb;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_table()
        .table_name(name)
        .send()
        .await
        .found(&doing)?;
    let arn = match found.and_then(|o| o.table().and_then(|t| t.table_arn().map(str::to_string))) {
        Some(arn) => {
            let tags = c
                .list_tags_of_resource()
                .resource_arn(&arn)
                .send()
                .await
                .aws(&doing)?;
            if !job.is_ours(tags.tags().iter().map(|t| (t.key(), t.value()))) {
                return Err(job.taken("table", name));
            }
            arn
        }
        None => {
            let err = |e: aws_sdk_dynamodb::error::BuildError| {
                ProviderError::permanent(format!("{}: {e}", job.address))
            };
            let attributes = job
                .v
                .blocks("attribute")
                .iter()
                .map(|a| {
                    AttributeDefinition::builder()
                        .attribute_name(a.opt_str("name").unwrap_or_default())
                        .attribute_type(ScalarAttributeType::from(a.opt_str("type").unwrap_or("S")))
                        .build()
                        .map_err(err)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut keys = vec![
                KeySchemaElement::builder()
                    .attribute_name(job.v.str("hash_key")?)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(err)?,
            ];
            if let Some(range) = job.v.opt_str("range_key") {
                keys.push(
                    KeySchemaElement::builder()
                        .attribute_name(range)
                        .key_type(KeyType::Range)
                        .build()
                        .map_err(err)?,
                );
            }
            let tags = job
                .tags
                .iter()
                .map(|(k, v)| {
                    aws_sdk_dynamodb::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                        .map_err(err)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let sse = job.v.block("server_side_encryption").map(|s| {
                SseSpecification::builder()
                    .enabled(s.bool_or("enabled", true))
                    .set_kms_master_key_id(s.opt_str("kms_key_arn").map(str::to_string))
                    .set_sse_type(
                        s.opt_str("kms_key_arn")
                            .map(|_| aws_sdk_dynamodb::types::SseType::Kms),
                    )
                    .build()
            });
            let out = c
                .create_table()
                .table_name(name)
                .set_attribute_definitions(Some(attributes))
                .set_key_schema(Some(keys))
                .billing_mode(BillingMode::from(
                    job.v.opt_str("billing_mode").unwrap_or("PAY_PER_REQUEST"),
                ))
                .set_sse_specification(sse)
                .set_deletion_protection_enabled(job.v.opt_bool("deletion_protection_enabled"))
                .set_tags(Some(tags))
                .send()
                .await
                .aws(&doing)?;
            out.table_description()
                .and_then(|t| t.table_arn())
                .unwrap_or_default()
                .to_string()
        }
    };
    let ddb = c.clone();
    let table = name.to_string();
    job.wait
        .until("active", || {
            let (ddb, table, doing) = (ddb.clone(), table.clone(), doing.clone());
            async move {
                let out = ddb
                    .describe_table()
                    .table_name(&table)
                    .send()
                    .await
                    .aws(&doing)?;
                Ok(match out.table().and_then(|t| t.table_status().cloned()) {
                    Some(TableStatus::Active) => Poll::Ready,
                    Some(other) => Poll::Pending(other.as_str().to_string()),
                    None => Poll::Pending("not visible yet".into()),
                })
            }
        })
        .await?;
    if let Some(pitr) = job
        .v
        .block("point_in_time_recovery")
        .and_then(|p| p.opt_bool("enabled"))
    {
        let spec = PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(pitr)
            .build()
            .map_err(|e| ProviderError::permanent(e.to_string()))?;
        c.update_continuous_backups()
            .table_name(name)
            .point_in_time_recovery_specification(spec)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_dynamodb_table(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    if g.values().bool_or("deletion_protection_enabled", false) {
        // Rolling back is a decision people approved; deletion protection guards against accidents.
        g.c.dynamodb
            .update_table()
            .table_name(g.id())
            .deletion_protection_enabled(false)
            .send()
            .await
            .gone(&doing)?;
    }
    g.c.dynamodb
        .delete_table()
        .table_name(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["ResourceInUseException"]))
}

pub async fn describe_dynamodb_table(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.dynamodb
            .describe_table()
            .table_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.table().cloned())
        .filter(|t| t.table_status() != Some(&TableStatus::Deleting))
        .map(|t| {
            let key = |k: KeyType| {
                t.key_schema()
                    .iter()
                    .find(|e| *e.key_type() == k)
                    .map(|e| Value::String(e.attribute_name().to_string()))
            };
            obj([
                ("name", s(t.table_name())),
                ("hash_key", key(KeyType::Hash)),
                ("range_key", key(KeyType::Range)),
                (
                    "billing_mode",
                    t.billing_mode_summary()
                        .and_then(|b| b.billing_mode())
                        .map(|b| Value::String(b.as_str().to_string())),
                ),
                (
                    "deletion_protection_enabled",
                    t.deletion_protection_enabled().map(Value::Bool),
                ),
            ])
        }))
}

// ---- Glue ----

pub async fn glue_database(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.glue;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let account = job.c.account().await?;
    let arn = format!("arn:aws:glue:{}:{account}:database/{name}", job.c.region);
    if c.get_database()
        .name(name)
        .send()
        .await
        .found(&doing)?
        .is_some()
    {
        let tags = c.get_tags().resource_arn(&arn).send().await.aws(&doing)?;
        let tags = tags.tags().cloned().unwrap_or_default();
        if !job.is_ours(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Err(job.taken("data catalog database", name));
        }
    } else {
        let input = aws_sdk_glue::types::DatabaseInput::builder()
            .name(name)
            .set_description(job.v.opt_str("description").map(str::to_string))
            .build()
            .map_err(|e| ProviderError::permanent(e.to_string()))?;
        c.create_database()
            .database_input(input)
            .set_tags(Some(job.tags.clone().into_iter().collect()))
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_glue_database(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.glue
        .delete_database()
        .name(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_glue_database(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.glue
            .get_database()
            .name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.database().cloned())
        .map(|d| obj([("name", Some(Value::String(d.name().to_string())))])))
}

pub async fn glue_crawler(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.glue;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let arn = format!(
        "arn:aws:glue:{}:{}:crawler/{name}",
        job.c.region,
        job.c.account().await?
    );
    if c.get_crawler()
        .name(name)
        .send()
        .await
        .found(&doing)?
        .is_some()
    {
        let tags = c.get_tags().resource_arn(&arn).send().await.aws(&doing)?;
        let tags = tags.tags().cloned().unwrap_or_default();
        if !job.is_ours(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Err(job.taken("crawler", name));
        }
        return Ok(Made::new(name).with("arn", arn).with("name", name));
    }
    let targets = aws_sdk_glue::types::CrawlerTargets::builder()
        .set_s3_targets(Some(
            job.v
                .blocks("s3_target")
                .iter()
                .map(|t| {
                    aws_sdk_glue::types::S3Target::builder()
                        .set_path(t.opt_str("path").map(str::to_string))
                        .set_exclusions(Some(t.strs("exclusions")))
                        .build()
                })
                .collect(),
        ))
        .build();
    let policy = job.v.block("schema_change_policy").map(|p| {
        aws_sdk_glue::types::SchemaChangePolicy::builder()
            .set_delete_behavior(
                p.opt_str("delete_behavior")
                    .map(aws_sdk_glue::types::DeleteBehavior::from),
            )
            .set_update_behavior(
                p.opt_str("update_behavior")
                    .map(aws_sdk_glue::types::UpdateBehavior::from),
            )
            .build()
    });
    c.create_crawler()
        .name(name)
        .role(job.v.str("role")?)
        .set_database_name(job.v.opt_str("database_name").map(str::to_string))
        .targets(targets)
        .set_schedule(job.v.opt_str("schedule").map(str::to_string))
        .set_schema_change_policy(policy)
        .set_tags(Some(job.tags.clone().into_iter().collect()))
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_glue_crawler(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.glue
        .delete_crawler()
        .name(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(
            &doing,
            &["CrawlerRunningException", "SchedulerTransitioningException"],
        ))
}

pub async fn describe_glue_crawler(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.glue
            .get_crawler()
            .name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.crawler().cloned()).map(|cr| {
        obj([
            ("name", s(cr.name())),
            ("database_name", s(cr.database_name())),
            ("role", s(cr.role())),
            (
                "schedule",
                s(cr.schedule().and_then(|s| s.schedule_expression())),
            ),
        ])
    }))
}

pub async fn glue_job(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.glue;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let arn = format!(
        "arn:aws:glue:{}:{}:job/{name}",
        job.c.region,
        job.c.account().await?
    );
    if c.get_job()
        .job_name(name)
        .send()
        .await
        .found(&doing)?
        .is_some()
    {
        let tags = c.get_tags().resource_arn(&arn).send().await.aws(&doing)?;
        let tags = tags.tags().cloned().unwrap_or_default();
        if !job.is_ours(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Err(job.taken("ETL job", name));
        }
        return Ok(Made::new(name).with("arn", arn).with("name", name));
    }
    let command = job.v.block("command").map(|cmd| {
        aws_sdk_glue::types::JobCommand::builder()
            .set_name(cmd.opt_str("name").map(str::to_string))
            .set_script_location(cmd.opt_str("script_location").map(str::to_string))
            .set_python_version(cmd.opt_text("python_version"))
            .build()
    });
    let command = command.ok_or_else(|| {
        ProviderError::permanent(format!(
            "{} needs a `command` block in the plan.",
            job.address
        ))
    })?;
    c.create_job()
        .name(name)
        .role(job.v.str("role_arn")?)
        .command(command)
        .set_default_arguments(Some(
            job.v.string_map("default_arguments").into_iter().collect(),
        ))
        .set_glue_version(job.v.opt_text("glue_version"))
        .set_max_retries(job.v.opt_i32("max_retries"))
        .set_number_of_workers(job.v.opt_i32("number_of_workers"))
        .set_worker_type(
            job.v
                .opt_str("worker_type")
                .map(aws_sdk_glue::types::WorkerType::from),
        )
        .set_timeout(job.v.opt_i32("timeout"))
        .set_tags(Some(job.tags.clone().into_iter().collect()))
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_glue_job(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.glue
        .delete_job()
        .job_name(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_glue_job(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.glue
            .get_job()
            .job_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.job().cloned()).map(|j| {
        obj([
            ("name", s(j.name())),
            ("glue_version", s(j.glue_version())),
            (
                "worker_type",
                j.worker_type()
                    .map(|w| Value::String(w.as_str().to_string())),
            ),
            ("number_of_workers", j.number_of_workers().map(Value::from)),
            ("max_retries", Some(Value::from(j.max_retries()))),
            ("timeout", j.timeout().map(Value::from)),
        ])
    }))
}

// ---- Athena ----

pub async fn athena_workgroup(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.athena;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let arn = format!(
        "arn:aws:athena:{}:{}:workgroup/{name}",
        job.c.region,
        job.c.account().await?
    );
    let found = c
        .get_work_group()
        .work_group(name)
        .send()
        .await
        .found(&doing)?;
    if found.and_then(|o| o.work_group().cloned()).is_some() {
        let tags = c
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .aws(&doing)?;
        if !job.is_ours(
            tags.tags()
                .iter()
                .filter_map(|t| Some((t.key()?, t.value()?))),
        ) {
            return Err(job.taken("query workgroup", name));
        }
        return Ok(Made::new(name).with("arn", arn).with("name", name));
    }
    let cfg = job.v.block("configuration").map(|cfg| {
        let result = cfg.block("result_configuration").map(|r| {
            let enc = r.block("encryption_configuration").and_then(|e| {
                aws_sdk_athena::types::EncryptionConfiguration::builder()
                    .encryption_option(aws_sdk_athena::types::EncryptionOption::from(
                        e.opt_str("encryption_option").unwrap_or("SSE_S3"),
                    ))
                    .set_kms_key(e.opt_str("kms_key_arn").map(str::to_string))
                    .build()
                    .ok()
            });
            aws_sdk_athena::types::ResultConfiguration::builder()
                .set_output_location(r.opt_str("output_location").map(str::to_string))
                .set_encryption_configuration(enc)
                .build()
        });
        aws_sdk_athena::types::WorkGroupConfiguration::builder()
            .set_result_configuration(result)
            .set_enforce_work_group_configuration(cfg.opt_bool("enforce_workgroup_configuration"))
            .set_publish_cloud_watch_metrics_enabled(
                cfg.opt_bool("publish_cloudwatch_metrics_enabled"),
            )
            .set_bytes_scanned_cutoff_per_query(cfg.opt_i64("bytes_scanned_cutoff_per_query"))
            .build()
    });
    let tags = job
        .tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_athena::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect();
    c.create_work_group()
        .name(name)
        .set_configuration(cfg)
        .set_description(job.v.opt_str("description").map(str::to_string))
        .set_tags(Some(tags))
        .send()
        .await
        .aws(&doing)?;
    if job.v.opt_str("state") == Some("DISABLED") {
        c.update_work_group()
            .work_group(name)
            .state(aws_sdk_athena::types::WorkGroupState::Disabled)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_athena_workgroup(g: &Gone<'_>) -> Result<(), ProviderError> {
    let recursive = g.values().bool_or("force_destroy", false);
    g.c.athena
        .delete_work_group()
        .work_group(g.id())
        .recursive_delete_option(recursive)
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_athena_workgroup(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.athena
            .get_work_group()
            .work_group(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.work_group().cloned()).map(|w| {
        obj([
            ("name", Some(Value::String(w.name().to_string()))),
            (
                "state",
                w.state().map(|s| Value::String(s.as_str().to_string())),
            ),
        ])
    }))
}

// ---- SageMaker ----

fn sm_tags(job: &Job<'_>) -> Result<Vec<aws_sdk_sagemaker::types::Tag>, ProviderError> {
    Ok(job
        .tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_sagemaker::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect())
}

async fn sm_is_ours(job: &Job<'_>, arn: &str) -> Result<bool, ProviderError> {
    let out = job
        .c
        .sagemaker
        .list_tags()
        .resource_arn(arn)
        .send()
        .await
        .aws(&format!("read the tags of {}", job.address))?;
    Ok(job.is_ours(
        out.tags()
            .iter()
            .filter_map(|t| Some((t.key()?, t.value()?))),
    ))
}

pub async fn model_package_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.sagemaker;
    let doing = format!("create {}", job.address);
    let name = job.v.str("model_package_group_name")?;
    if let Some(out) = c
        .describe_model_package_group()
        .model_package_group_name(name)
        .send()
        .await
        .found(&doing)?
    {
        let arn = out
            .model_package_group_arn()
            .unwrap_or_default()
            .to_string();
        if !sm_is_ours(job, &arn).await? {
            return Err(job.taken("model registry group", name));
        }
        return Ok(Made::new(name)
            .with("arn", arn)
            .with("model_package_group_name", name));
    }
    let out = c
        .create_model_package_group()
        .model_package_group_name(name)
        .set_model_package_group_description(
            job.v
                .opt_str("model_package_group_description")
                .map(str::to_string),
        )
        .set_tags(Some(sm_tags(job)?))
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(name)
        .with("arn", out.model_package_group_arn().unwrap_or_default())
        .with("model_package_group_name", name))
}

pub async fn delete_model_package_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.sagemaker
        .delete_model_package_group()
        .model_package_group_name(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_model_package_group(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.sagemaker
            .describe_model_package_group()
            .model_package_group_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|o| {
        obj([
            ("model_package_group_name", s(o.model_package_group_name())),
            (
                "model_package_group_description",
                s(o.model_package_group_description()),
            ),
        ])
    }))
}

use aws_sdk_sagemaker::types::{
    DirectInternetAccess, InstanceType as NotebookType, NotebookInstanceStatus, RootAccess,
};

async fn notebook_status(
    c: &aws_sdk_sagemaker::Client,
    name: &str,
    doing: &str,
) -> Result<Option<NotebookInstanceStatus>, ProviderError> {
    let out = c
        .describe_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .found(doing)?;
    Ok(out.and_then(|o| o.notebook_instance_status().cloned()))
}

pub async fn notebook_instance(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.sagemaker;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let arn = match c
        .describe_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .found(&doing)?
    {
        Some(out) => {
            let arn = out.notebook_instance_arn().unwrap_or_default().to_string();
            if !sm_is_ours(job, &arn).await? {
                return Err(job.taken("notebook", name));
            }
            arn
        }
        None => {
            let out = c
                .create_notebook_instance()
                .notebook_instance_name(name)
                .instance_type(NotebookType::from(job.v.str("instance_type")?))
                .role_arn(job.v.str("role_arn")?)
                .set_subnet_id(job.v.opt_str("subnet_id").map(str::to_string))
                .set_security_group_ids(Some(job.v.strs("security_groups")))
                .set_direct_internet_access(
                    job.v
                        .opt_str("direct_internet_access")
                        .map(DirectInternetAccess::from),
                )
                .set_root_access(job.v.opt_str("root_access").map(RootAccess::from))
                .set_volume_size_in_gb(job.v.opt_i32("volume_size"))
                .set_kms_key_id(job.v.opt_str("kms_key_id").map(str::to_string))
                .set_tags(Some(sm_tags(job)?))
                .send()
                .await
                .aws(&doing)?;
            out.notebook_instance_arn().unwrap_or_default().to_string()
        }
    };
    let sm = c.clone();
    let nb = name.to_string();
    job.wait
        .until("in service", || {
            let (sm, nb, doing) = (sm.clone(), nb.clone(), doing.clone());
            async move {
                Ok(match notebook_status(&sm, &nb, &doing).await? {
                    Some(NotebookInstanceStatus::InService) => Poll::Ready,
                    Some(NotebookInstanceStatus::Failed) => Poll::Failed(format!("The notebook {nb} failed to start; its failure reason is in the SageMaker console.")),
                    Some(other) => Poll::Pending(other.as_str().to_string()),
                    None => Poll::Pending("not visible yet".into()),
                })
            }
        })
        .await?;
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_notebook_instance(g: &Gone<'_>) -> Result<(), ProviderError> {
    let c = &g.c.sagemaker;
    let doing = format!("delete {}", g.item.address);
    // A notebook is deleted only once it has stopped.
    match notebook_status(c, g.id(), &doing).await? {
        None => return Ok(()),
        Some(NotebookInstanceStatus::InService)
        | Some(NotebookInstanceStatus::Pending)
        | Some(NotebookInstanceStatus::Updating) => {
            c.stop_notebook_instance()
                .notebook_instance_name(g.id())
                .send()
                .await
                .map(|_| ())
                .or_else(delete_outcome(&doing, &["ValidationException"]))?;
        }
        _ => {}
    }
    let sm = c.clone();
    let nb = g.id().to_string();
    g.wait
        .until("stopped", || {
            let (sm, nb, doing) = (sm.clone(), nb.clone(), doing.clone());
            async move {
                Ok(match notebook_status(&sm, &nb, &doing).await? {
                    None
                    | Some(NotebookInstanceStatus::Stopped)
                    | Some(NotebookInstanceStatus::Failed) => Poll::Ready,
                    Some(other) => Poll::Pending(other.as_str().to_string()),
                })
            }
        })
        .await?;
    c.delete_notebook_instance()
        .notebook_instance_name(g.id())
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_notebook_instance(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.sagemaker
            .describe_notebook_instance()
            .notebook_instance_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .filter(|o| o.notebook_instance_status() != Some(&NotebookInstanceStatus::Deleting))
        .map(|o| {
            obj([
                ("name", s(o.notebook_instance_name())),
                (
                    "instance_type",
                    o.instance_type()
                        .map(|t| Value::String(t.as_str().to_string())),
                ),
                (
                    "direct_internet_access",
                    o.direct_internet_access()
                        .map(|t| Value::String(t.as_str().to_string())),
                ),
                (
                    "root_access",
                    o.root_access()
                        .map(|t| Value::String(t.as_str().to_string())),
                ),
                ("volume_size", o.volume_size_in_gb().map(Value::from)),
                ("subnet_id", s(o.subnet_id())),
                ("role_arn", s(o.role_arn())),
            ])
        }))
}
