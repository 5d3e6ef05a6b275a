//! Observability, messaging, keys and identity: log groups, dashboards, alarms, EventBridge
//! schedules, SNS topics, SQS queues, KMS keys, IAM roles and instance profiles.

use serde_json::{Map, Value};

use super::error::AwsResult;
use super::network::delete_outcome;
use super::{Gone, Job, Made, num, obj};
use crate::provider::ProviderError;

fn s(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::String(x.to_string()))
}

// ---- CloudWatch Logs ----

pub async fn log_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.logs;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let arn = format!(
        "arn:aws:logs:{}:{}:log-group:{name}",
        job.c.region,
        job.c.account().await?
    );
    let found = c
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .aws(&doing)?;
    if found
        .log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(name))
    {
        let tags = c
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .aws(&doing)?;
        let tags = tags.tags().cloned().unwrap_or_default();
        if !job.is_ours(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Err(job.taken("log group", name));
        }
    } else {
        c.create_log_group()
            .log_group_name(name)
            .set_kms_key_id(job.v.opt_str("kms_key_id").map(str::to_string))
            .set_tags(Some(job.tags.clone().into_iter().collect()))
            .send()
            .await
            .aws(&doing)?;
    }
    if let Some(days) = job.v.opt_i32("retention_in_days").filter(|d| *d > 0) {
        c.put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_log_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.logs
        .delete_log_group()
        .log_group_name(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_log_group(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.logs
            .describe_log_groups()
            .log_group_name_prefix(g.id())
            .send()
            .await
            .aws(&format!("read {}", g.item.address))?;
    Ok(out
        .log_groups()
        .iter()
        .find(|l| l.log_group_name() == Some(g.id()))
        .map(|l| {
            obj([
                ("name", s(l.log_group_name())),
                ("retention_in_days", l.retention_in_days().map(Value::from)),
                ("kms_key_id", s(l.kms_key_id())),
            ])
        }))
}

// ---- CloudWatch dashboards and alarms ----

pub async fn dashboard(job: &Job<'_>) -> Result<Made, ProviderError> {
    let name = job.v.str("dashboard_name")?;
    let body = job.v.json_text("dashboard_body").ok_or_else(|| {
        ProviderError::permanent(format!(
            "{} needs `dashboard_body` in the plan.",
            job.address
        ))
    })?;
    // Putting a dashboard replaces it whole: repeating it is harmless.
    let out = job
        .c
        .cloudwatch
        .put_dashboard()
        .dashboard_name(name)
        .dashboard_body(body)
        .send()
        .await
        .aws(&format!("create {}", job.address))?;
    if let Some(problem) = out.dashboard_validation_messages().first() {
        return Err(ProviderError::permanent(format!(
            "AWS refused the dashboard of {}: {}.",
            job.address,
            problem.message().unwrap_or("its body is not valid")
        )));
    }
    let arn = format!(
        "arn:aws:cloudwatch::{}:dashboard/{name}",
        job.c.account().await?
    );
    Ok(Made::new(name)
        .with("arn", arn)
        .with("dashboard_name", name))
}

pub async fn delete_dashboard(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.cloudwatch
        .delete_dashboards()
        .dashboard_names(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_dashboard(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.cloudwatch
            .get_dashboard()
            .dashboard_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|d| {
        let body = d
            .dashboard_body()
            .and_then(|b| serde_json::from_str::<Value>(b).ok());
        obj([
            ("dashboard_name", s(d.dashboard_name())),
            ("dashboard_body", body),
        ])
    }))
}

pub async fn alarm(job: &Job<'_>) -> Result<Made, ProviderError> {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    let name = job.v.str("alarm_name")?;
    let dimensions = job
        .v
        .string_map("dimensions")
        .into_iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect();
    let tags = job
        .tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_cloudwatch::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect();
    // Putting an alarm replaces it whole: repeating it is harmless.
    job.c
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(name)
        .set_alarm_description(job.v.opt_str("alarm_description").map(str::to_string))
        .comparison_operator(ComparisonOperator::from(job.v.str("comparison_operator")?))
        .evaluation_periods(job.v.i32("evaluation_periods")?)
        .set_datapoints_to_alarm(job.v.opt_i32("datapoints_to_alarm"))
        .set_metric_name(job.v.opt_str("metric_name").map(str::to_string))
        .set_namespace(job.v.opt_str("namespace").map(str::to_string))
        .set_period(job.v.opt_i32("period"))
        .set_statistic(job.v.opt_str("statistic").map(Statistic::from))
        .set_extended_statistic(job.v.opt_str("extended_statistic").map(str::to_string))
        .set_threshold(job.v.opt_f64("threshold"))
        .set_treat_missing_data(job.v.opt_str("treat_missing_data").map(str::to_string))
        .set_dimensions(Some(dimensions))
        .set_alarm_actions(Some(job.v.strs("alarm_actions")))
        .set_ok_actions(job.v.get("ok_actions").map(|_| job.v.strs("ok_actions")))
        .set_tags(Some(tags))
        .send()
        .await
        .aws(&format!("create {}", job.address))?;
    let arn = format!(
        "arn:aws:cloudwatch:{}:{}:alarm:{name}",
        job.c.region,
        job.c.account().await?
    );
    Ok(Made::new(name).with("arn", arn).with("alarm_name", name))
}

pub async fn delete_alarm(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.cloudwatch
        .delete_alarms()
        .alarm_names(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_alarm(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.cloudwatch
            .describe_alarms()
            .alarm_names(g.id())
            .send()
            .await
            .aws(&format!("read {}", g.item.address))?;
    Ok(out.metric_alarms().first().map(|a| {
        let dimensions: Map<String, Value> = a
            .dimensions()
            .iter()
            .filter_map(|d| Some((d.name()?.to_string(), Value::String(d.value()?.to_string()))))
            .collect();
        obj([
            ("alarm_name", s(a.alarm_name())),
            (
                "comparison_operator",
                a.comparison_operator()
                    .map(|c| Value::String(c.as_str().to_string())),
            ),
            (
                "evaluation_periods",
                a.evaluation_periods().map(Value::from),
            ),
            ("metric_name", s(a.metric_name())),
            ("namespace", s(a.namespace())),
            ("period", a.period().map(Value::from)),
            ("threshold", a.threshold().map(num)),
            (
                "statistic",
                a.statistic().map(|c| Value::String(c.as_str().to_string())),
            ),
            ("treat_missing_data", s(a.treat_missing_data())),
            ("dimensions", Some(Value::Object(dimensions))),
            (
                "alarm_actions",
                Some(Value::from(a.alarm_actions().to_vec())),
            ),
        ])
    }))
}

// ---- EventBridge ----

pub async fn event_rule(job: &Job<'_>) -> Result<Made, ProviderError> {
    let name = job.v.str("name")?;
    let tags = job
        .tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_eventbridge::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ProviderError::permanent(e.to_string()))?;
    let state = job
        .v
        .opt_str("state")
        .map(aws_sdk_eventbridge::types::RuleState::from);
    // Putting a rule replaces it whole: repeating it is harmless.
    let out = job
        .c
        .events
        .put_rule()
        .name(name)
        .set_schedule_expression(job.v.opt_str("schedule_expression").map(str::to_string))
        .set_event_pattern(job.v.json_text("event_pattern"))
        .set_description(job.v.opt_str("description").map(str::to_string))
        .set_state(state)
        .set_tags(Some(tags))
        .send()
        .await
        .aws(&format!("create {}", job.address))?;
    Ok(Made::new(name)
        .with("arn", out.rule_arn().unwrap_or_default())
        .with("name", name))
}

pub async fn delete_event_rule(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.events
        .delete_rule()
        .name(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["ValidationException"]))
}

pub async fn describe_event_rule(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.events
            .describe_rule()
            .name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|r| {
        obj([
            ("name", s(r.name())),
            ("schedule_expression", s(r.schedule_expression())),
            ("description", s(r.description())),
            (
                "state",
                r.state().map(|st| Value::String(st.as_str().to_string())),
            ),
        ])
    }))
}

pub async fn event_target(job: &Job<'_>) -> Result<Made, ProviderError> {
    use aws_sdk_eventbridge::types::{
        AssignPublicIp, AwsVpcConfiguration, EcsParameters, LaunchType, NetworkConfiguration,
        RetryPolicy, Target,
    };
    let rule = job.v.str("rule")?;
    let target_id = job
        .v
        .opt_str("target_id")
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "paved-{}",
                job.address.rsplit('.').next().unwrap_or("target")
            )
        });
    let err = |e: aws_sdk_eventbridge::error::BuildError| {
        ProviderError::permanent(format!("{}: {e}", job.address))
    };
    let ecs = match job.v.block("ecs_target") {
        Some(e) => {
            let network = match e.block("network_configuration") {
                Some(n) => {
                    let public = if n.bool_or("assign_public_ip", false) {
                        AssignPublicIp::Enabled
                    } else {
                        AssignPublicIp::Disabled
                    };
                    let vpc = AwsVpcConfiguration::builder()
                        .set_subnets(Some(n.strs("subnets")))
                        .set_security_groups(Some(n.strs("security_groups")))
                        .assign_public_ip(public)
                        .build()
                        .map_err(err)?;
                    Some(
                        NetworkConfiguration::builder()
                            .awsvpc_configuration(vpc)
                            .build(),
                    )
                }
                None => None,
            };
            Some(
                EcsParameters::builder()
                    .task_definition_arn(e.str("task_definition_arn")?)
                    .set_task_count(e.opt_i32("task_count"))
                    .set_launch_type(e.opt_str("launch_type").map(LaunchType::from))
                    .set_network_configuration(network)
                    .build()
                    .map_err(err)?,
            )
        }
        None => None,
    };
    let retry = job.v.block("retry_policy").map(|r| {
        RetryPolicy::builder()
            .set_maximum_event_age_in_seconds(r.opt_i32("maximum_event_age_in_seconds"))
            .set_maximum_retry_attempts(r.opt_i32("maximum_retry_attempts"))
            .build()
    });
    let target = Target::builder()
        .id(&target_id)
        .arn(job.v.str("arn")?)
        .set_role_arn(job.v.opt_str("role_arn").map(str::to_string))
        .set_input(job.v.json_text("input"))
        .set_ecs_parameters(ecs)
        .set_retry_policy(retry)
        .build()
        .map_err(err)?;
    let doing = format!("create {}", job.address);
    let out = job
        .c
        .events
        .put_targets()
        .rule(rule)
        .targets(target)
        .send()
        .await
        .aws(&doing)?;
    if let Some(problem) = out.failed_entries().first() {
        return Err(ProviderError::permanent(format!(
            "AWS refused to {doing}: {}.",
            problem.error_message().unwrap_or("no reason given")
        )));
    }
    Ok(Made::new(format!("{rule}-{target_id}"))
        .with("rule", rule)
        .with("target_id", target_id))
}

pub async fn delete_event_target(g: &Gone<'_>) -> Result<(), ProviderError> {
    let (Some(rule), Some(target)) = (g.attr("rule"), g.attr("target_id")) else {
        return Ok(());
    };
    g.c.events
        .remove_targets()
        .rule(rule)
        .ids(target)
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_event_target(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let (Some(rule), Some(target)) = (g.attr("rule"), g.attr("target_id")) else {
        return Ok(None);
    };
    let out =
        g.c.events
            .list_targets_by_rule()
            .rule(rule)
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.targets().iter().find(|t| t.id() == target).cloned())
        .map(|t| {
            obj([
                ("rule", Some(Value::String(rule.to_string()))),
                ("arn", Some(Value::String(t.arn().to_string()))),
                ("role_arn", s(t.role_arn())),
            ])
        }))
}

// ---- SNS ----

pub async fn sns_topic(job: &Job<'_>) -> Result<Made, ProviderError> {
    let name = job.v.str("name")?;
    let tags = job
        .tags
        .iter()
        .map(|(k, v)| aws_sdk_sns::types::Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ProviderError::permanent(e.to_string()))?;
    let mut attributes = std::collections::HashMap::new();
    if let Some(key) = job.v.opt_str("kms_master_key_id") {
        attributes.insert("KmsMasterKeyId".to_string(), key.to_string());
    }
    if name.ends_with(".fifo") {
        attributes.insert("FifoTopic".to_string(), "true".to_string());
    }
    // CreateTopic returns the existing topic for the same name and attributes.
    let out = job
        .c
        .sns
        .create_topic()
        .name(name)
        .set_attributes(Some(attributes))
        .set_tags(Some(tags))
        .send()
        .await
        .aws(&format!("create {}", job.address))?;
    let arn = out.topic_arn().unwrap_or_default().to_string();
    Ok(Made::new(arn.clone()).with("arn", arn).with("name", name))
}

pub async fn delete_sns_topic(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.sns
        .delete_topic()
        .topic_arn(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_sns_topic(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.sns
            .get_topic_attributes()
            .topic_arn(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|o| {
        let attrs = o.attributes().cloned().unwrap_or_default();
        let name = g.id().rsplit(':').next().unwrap_or_default().to_string();
        obj([
            ("name", Some(Value::String(name))),
            (
                "kms_master_key_id",
                attrs
                    .get("KmsMasterKeyId")
                    .map(|k| Value::String(k.clone())),
            ),
        ])
    }))
}

// ---- SQS ----

pub async fn sqs_queue(job: &Job<'_>) -> Result<Made, ProviderError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let name = job.v.str("name")?;
    let mut attributes = std::collections::HashMap::new();
    let pairs = [
        ("visibility_timeout_seconds", A::VisibilityTimeout),
        ("message_retention_seconds", A::MessageRetentionPeriod),
        ("max_message_size", A::MaximumMessageSize),
        ("delay_seconds", A::DelaySeconds),
        (
            "receive_wait_time_seconds",
            A::ReceiveMessageWaitTimeSeconds,
        ),
        ("kms_master_key_id", A::KmsMasterKeyId),
        ("sqs_managed_sse_enabled", A::SqsManagedSseEnabled),
        ("fifo_queue", A::FifoQueue),
    ];
    for (key, attr) in pairs {
        if let Some(v) = job.v.opt_text(key) {
            attributes.insert(attr, v);
        }
    }
    if let Some(policy) = job.v.json_text("redrive_policy") {
        attributes.insert(A::RedrivePolicy, policy);
    }
    let doing = format!("create {}", job.address);
    // CreateQueue returns the existing queue for the same name and attributes.
    let out = job
        .c
        .sqs
        .create_queue()
        .queue_name(name)
        .set_attributes(Some(attributes))
        .set_tags(Some(job.tags.clone().into_iter().collect()))
        .send()
        .await
        .aws(&doing)?;
    let url = out.queue_url().unwrap_or_default().to_string();
    let attrs = job
        .c
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(A::QueueArn)
        .send()
        .await
        .aws(&doing)?;
    let arn = attrs
        .attributes()
        .and_then(|a| a.get(&A::QueueArn))
        .cloned()
        .unwrap_or_default();
    Ok(Made::new(url.clone())
        .with("arn", arn)
        .with("url", url)
        .with("name", name))
}

pub async fn delete_sqs_queue(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.sqs
        .delete_queue()
        .queue_url(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_sqs_queue(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out =
        g.c.sqs
            .get_queue_attributes()
            .queue_url(g.id())
            .attribute_names(A::All)
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|o| {
        let attrs = o.attributes().cloned().unwrap_or_default();
        let int = |a: A| {
            attrs
                .get(&a)
                .and_then(|v| v.parse::<i64>().ok())
                .map(Value::from)
        };
        let name = g.id().rsplit('/').next().unwrap_or_default().to_string();
        obj([
            ("name", Some(Value::String(name))),
            ("visibility_timeout_seconds", int(A::VisibilityTimeout)),
            ("message_retention_seconds", int(A::MessageRetentionPeriod)),
        ])
    }))
}

// ---- KMS ----

pub async fn kms_key(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.kms;
    let doing = format!("create {}", job.address);
    // KMS has neither names nor idempotency tokens: the tagging API finds a key made earlier.
    let found = job
        .c
        .tagging
        .get_resources()
        .resource_type_filters("kms:key")
        .tag_filters(
            aws_sdk_resourcegroupstagging::types::TagFilter::builder()
                .key("paved:request-id")
                .values(&job.ctx.request_id)
                .build(),
        )
        .tag_filters(
            aws_sdk_resourcegroupstagging::types::TagFilter::builder()
                .key("paved:address")
                .values(job.address)
                .build(),
        )
        .send()
        .await
        .aws(&doing)?;
    let mut existing = None;
    for arn in found
        .resource_tag_mapping_list()
        .iter()
        .filter_map(|m| m.resource_arn())
    {
        let key = c.describe_key().key_id(arn).send().await.found(&doing)?;
        let usable = key
            .and_then(|k| k.key_metadata().cloned())
            .filter(|m| m.key_state() != Some(&aws_sdk_kms::types::KeyState::PendingDeletion));
        if let Some(m) = usable {
            existing = Some((
                m.key_id().to_string(),
                m.arn().unwrap_or_default().to_string(),
            ));
            break;
        }
    }
    let (id, arn) = match existing {
        Some(pair) => pair,
        None => {
            let tags = job
                .tags
                .iter()
                .map(|(k, v)| {
                    aws_sdk_kms::types::Tag::builder()
                        .tag_key(k)
                        .tag_value(v)
                        .build()
                        .map_err(|e| ProviderError::permanent(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = c
                .create_key()
                .set_description(job.v.opt_str("description").map(str::to_string))
                .set_key_usage(
                    job.v
                        .opt_str("key_usage")
                        .map(aws_sdk_kms::types::KeyUsageType::from),
                )
                .set_key_spec(
                    job.v
                        .opt_str("customer_master_key_spec")
                        .map(aws_sdk_kms::types::KeySpec::from),
                )
                .set_policy(job.v.json_text("policy"))
                .set_multi_region(job.v.opt_bool("multi_region"))
                .set_tags(Some(tags))
                .send()
                .await
                .aws(&doing)?;
            let m = out.key_metadata().ok_or_else(|| {
                ProviderError::permanent(format!(
                    "AWS did not describe the key it created for {}.",
                    job.address
                ))
            })?;
            (
                m.key_id().to_string(),
                m.arn().unwrap_or_default().to_string(),
            )
        }
    };
    if job.v.bool_or("enable_key_rotation", false) {
        c.enable_key_rotation()
            .key_id(&id)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(id.clone()).with("arn", arn).with("key_id", id))
}

pub async fn delete_kms_key(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("schedule the deletion of {}", g.item.address);
    // AWS never deletes a key at once: it waits 7 to 30 days, during which the key can be restored.
    let days = g
        .values()
        .opt_i32("deletion_window_in_days")
        .unwrap_or(30)
        .clamp(7, 30);
    g.c.kms
        .schedule_key_deletion()
        .key_id(g.id())
        .pending_window_in_days(days)
        .send()
        .await
        .map(|_| ())
        .or_else(|e| {
            let f = super::error::Failure::of(&e);
            // Already pending deletion is where this call leads anyway.
            if f.not_found() || f.code_is("KMSInvalidStateException") {
                Ok(())
            } else {
                Err(f.into_error(&doing))
            }
        })
}

pub async fn describe_kms_key(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let doing = format!("read {}", g.item.address);
    let out =
        g.c.kms
            .describe_key()
            .key_id(g.id())
            .send()
            .await
            .found(&doing)?;
    let Some(meta) = out.and_then(|o| o.key_metadata().cloned()) else {
        return Ok(None);
    };
    if meta.key_state() == Some(&aws_sdk_kms::types::KeyState::PendingDeletion) {
        return Ok(None);
    }
    let rotation =
        g.c.kms
            .get_key_rotation_status()
            .key_id(g.id())
            .send()
            .await
            .aws(&doing)?;
    Ok(Some(obj([
        ("description", s(meta.description())),
        (
            "key_usage",
            meta.key_usage()
                .map(|u| Value::String(u.as_str().to_string())),
        ),
        (
            "enable_key_rotation",
            Some(Value::Bool(rotation.key_rotation_enabled())),
        ),
    ])))
}

// ---- IAM ----

fn iam_tags(job: &Job<'_>) -> Result<Vec<aws_sdk_iam::types::Tag>, ProviderError> {
    job.tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::permanent(e.to_string()))
        })
        .collect()
}

/// IAM returns policy documents URL-encoded.
fn decode_policy(text: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str(text) {
        return Some(v);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    serde_json::from_slice(&out).ok()
}

pub async fn iam_role(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.iam;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c.get_role().role_name(name).send().await.found(&doing)?;
    let role = match found.and_then(|o| o.role().cloned()) {
        Some(role) => {
            if !job.is_ours(role.tags().iter().map(|t| (t.key(), t.value()))) {
                return Err(job.taken("role", name));
            }
            role
        }
        None => {
            let trust = job.v.json_text("assume_role_policy").ok_or_else(|| {
                ProviderError::permanent(format!(
                    "{} needs `assume_role_policy` in the plan.",
                    job.address
                ))
            })?;
            let out = c
                .create_role()
                .role_name(name)
                .assume_role_policy_document(trust)
                .set_path(job.v.opt_str("path").map(str::to_string))
                .set_description(job.v.opt_str("description").map(str::to_string))
                .set_max_session_duration(job.v.opt_i32("max_session_duration"))
                .set_permissions_boundary(job.v.opt_str("permissions_boundary").map(str::to_string))
                .set_tags(Some(iam_tags(job)?))
                .send()
                .await
                .aws(&doing)?;
            out.role().cloned().ok_or_else(|| {
                ProviderError::permanent(format!(
                    "AWS did not return the role it created for {}.",
                    job.address
                ))
            })?
        }
    };
    // Inline policies and attachments are set every time: putting them again is harmless.
    for policy in job.v.blocks("inline_policy") {
        let (Some(pname), Some(doc)) = (policy.opt_str("name"), policy.json_text("policy")) else {
            continue;
        };
        c.put_role_policy()
            .role_name(name)
            .policy_name(pname)
            .policy_document(doc)
            .send()
            .await
            .aws(&doing)?;
    }
    for arn in job.v.strs("managed_policy_arns") {
        c.attach_role_policy()
            .role_name(name)
            .policy_arn(arn)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name)
        .with("arn", role.arn())
        .with("name", name)
        .with("unique_id", role.role_id()))
}

pub async fn delete_iam_role(g: &Gone<'_>) -> Result<(), ProviderError> {
    let c = &g.c.iam;
    let doing = format!("delete {}", g.item.address);
    // A role is deleted only once nothing hangs on it.
    let Some(inline) = c
        .list_role_policies()
        .role_name(g.id())
        .send()
        .await
        .found(&doing)?
    else {
        return Ok(());
    };
    for p in inline.policy_names() {
        c.delete_role_policy()
            .role_name(g.id())
            .policy_name(p)
            .send()
            .await
            .gone(&doing)?;
    }
    let attached = c
        .list_attached_role_policies()
        .role_name(g.id())
        .send()
        .await
        .aws(&doing)?;
    for p in attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
    {
        c.detach_role_policy()
            .role_name(g.id())
            .policy_arn(p)
            .send()
            .await
            .gone(&doing)?;
    }
    let profiles = c
        .list_instance_profiles_for_role()
        .role_name(g.id())
        .send()
        .await
        .aws(&doing)?;
    for p in profiles.instance_profiles() {
        c.remove_role_from_instance_profile()
            .instance_profile_name(p.instance_profile_name())
            .role_name(g.id())
            .send()
            .await
            .gone(&doing)?;
    }
    c.delete_role()
        .role_name(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["DeleteConflict"]))
}

pub async fn describe_iam_role(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.iam
            .get_role()
            .role_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.role().cloned()).map(|r| {
        let trust = r.assume_role_policy_document().and_then(decode_policy);
        obj([
            ("name", Some(Value::String(r.role_name().to_string()))),
            ("assume_role_policy", trust),
        ])
    }))
}

pub async fn instance_profile(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.iam;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let role = job.v.str("role")?;
    let profile = match c
        .get_instance_profile()
        .instance_profile_name(name)
        .send()
        .await
        .found(&doing)?
        .and_then(|o| o.instance_profile().cloned())
    {
        Some(p) => {
            if !job.is_ours(p.tags().iter().map(|t| (t.key(), t.value()))) {
                return Err(job.taken("instance profile", name));
            }
            p
        }
        None => {
            let out = c
                .create_instance_profile()
                .instance_profile_name(name)
                .set_path(job.v.opt_str("path").map(str::to_string))
                .set_tags(Some(iam_tags(job)?))
                .send()
                .await
                .aws(&doing)?;
            out.instance_profile().cloned().ok_or_else(|| {
                ProviderError::permanent(format!(
                    "AWS did not return the instance profile it created for {}.",
                    job.address
                ))
            })?
        }
    };
    if !profile.roles().iter().any(|r| r.role_name() == role) {
        c.add_role_to_instance_profile()
            .instance_profile_name(name)
            .role_name(role)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(name)
        .with("arn", profile.arn())
        .with("name", name)
        .with("role", role))
}

pub async fn delete_instance_profile(g: &Gone<'_>) -> Result<(), ProviderError> {
    let c = &g.c.iam;
    let doing = format!("delete {}", g.item.address);
    let Some(out) = c
        .get_instance_profile()
        .instance_profile_name(g.id())
        .send()
        .await
        .found(&doing)?
    else {
        return Ok(());
    };
    for r in out
        .instance_profile()
        .map(|p| p.roles())
        .unwrap_or_default()
    {
        c.remove_role_from_instance_profile()
            .instance_profile_name(g.id())
            .role_name(r.role_name())
            .send()
            .await
            .gone(&doing)?;
    }
    c.delete_instance_profile()
        .instance_profile_name(g.id())
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_instance_profile(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.iam
            .get_instance_profile()
            .instance_profile_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.instance_profile().cloned()).map(|p| {
        obj([
            (
                "name",
                Some(Value::String(p.instance_profile_name().to_string())),
            ),
            (
                "role",
                p.roles()
                    .first()
                    .map(|r| Value::String(r.role_name().to_string())),
            ),
        ])
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_policies_decode() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_policy(encoded),
            Some(serde_json::json!({"Version": "2012-10-17", "Statement": []}))
        );
        assert_eq!(
            decode_policy("{\"a\":1}"),
            Some(serde_json::json!({"a": 1}))
        );
        assert_eq!(decode_policy("%ZZ"), None);
    }
}
