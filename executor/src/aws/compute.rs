//! Load balancing, containers, scaling and functions: ALB, target groups, listeners, ECS
//! clusters, task definitions and Fargate services, ECR, Application Auto Scaling, Lambda.
//! These resources have names; a create first reads the name and adopts it only when its tags say
//! this request made it.

use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ClusterSetting, ClusterSettingName, Compatibility,
    ContainerDefinition, CpuArchitecture, DeploymentCircuitBreaker, DeploymentConfiguration,
    KeyValuePair, LaunchType, LoadBalancer, LogConfiguration, LogDriver, NetworkConfiguration,
    NetworkMode, OsFamily, PortMapping, RuntimePlatform, TransportProtocol,
};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, ForwardActionConfig,
    LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, Matcher, ProtocolEnum,
    RedirectActionConfig, RedirectActionStatusCodeEnum, TargetGroupAttribute, TargetGroupTuple,
    TargetTypeEnum,
};
use serde_json::{Map, Value};

use super::error::AwsResult;
use super::network::delete_outcome;
use super::values::Values;
use super::{Gone, Job, Made, obj};
use crate::provider::ProviderError;

fn s(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::String(x.to_string()))
}

fn elb_tags(job: &Job<'_>) -> Vec<aws_sdk_elasticloadbalancingv2::types::Tag> {
    job.tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

async fn elb_is_ours(job: &Job<'_>, arn: &str) -> Result<bool, ProviderError> {
    let out = job
        .c
        .elb
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .aws(&format!("read the tags of {}", job.address))?;
    let tags: Vec<(String, String)> = out
        .tag_descriptions()
        .iter()
        .flat_map(|d| d.tags())
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    Ok(job.is_ours(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

/// `app/web-app-prod/50dc6c495c0c9188`: what CloudWatch dimensions name a load balancer or target group by.
fn arn_suffix(arn: &str, marker: &str) -> String {
    arn.split_once(marker)
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

// ---- Load balancer ----

pub async fn lb(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.elb;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_load_balancers()
        .names(name)
        .send()
        .await
        .found(&doing)?;
    let existing = found.and_then(|o| o.load_balancers().first().cloned());
    let lb = match existing {
        Some(lb) => {
            if !elb_is_ours(job, lb.load_balancer_arn().unwrap_or_default()).await? {
                return Err(job.taken("load balancer", name));
            }
            lb
        }
        None => {
            let scheme = if job.v.bool_or("internal", false) {
                LoadBalancerSchemeEnum::Internal
            } else {
                LoadBalancerSchemeEnum::InternetFacing
            };
            let out = c
                .create_load_balancer()
                .name(name)
                .r#type(LoadBalancerTypeEnum::from(
                    job.v.opt_str("load_balancer_type").unwrap_or("application"),
                ))
                .scheme(scheme)
                .set_subnets(Some(job.v.strs("subnets")))
                .set_security_groups(Some(job.v.strs("security_groups")))
                .set_tags(Some(elb_tags(job)))
                .send()
                .await
                .aws(&doing)?;
            out.load_balancers().first().cloned().ok_or_else(|| {
                ProviderError::permanent(format!(
                    "AWS did not return the load balancer it created for {}.",
                    job.address
                ))
            })?
        }
    };
    let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
    let mut attributes = Vec::new();
    if let Some(t) = job.v.opt_i64("idle_timeout") {
        attributes.push(
            LoadBalancerAttribute::builder()
                .key("idle_timeout.timeout_seconds")
                .value(t.to_string())
                .build(),
        );
    }
    if let Some(b) = job.v.opt_bool("drop_invalid_header_fields") {
        attributes.push(
            LoadBalancerAttribute::builder()
                .key("routing.http.drop_invalid_header_fields.enabled")
                .value(b.to_string())
                .build(),
        );
    }
    if let Some(b) = job.v.opt_bool("enable_deletion_protection") {
        attributes.push(
            LoadBalancerAttribute::builder()
                .key("deletion_protection.enabled")
                .value(b.to_string())
                .build(),
        );
    }
    if !attributes.is_empty() {
        c.modify_load_balancer_attributes()
            .load_balancer_arn(&arn)
            .set_attributes(Some(attributes))
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(arn.clone())
        .with("arn", arn.clone())
        .with("arn_suffix", arn_suffix(&arn, ":loadbalancer/"))
        .with("dns_name", lb.dns_name().unwrap_or_default())
        .with("zone_id", lb.canonical_hosted_zone_id().unwrap_or_default()))
}

pub async fn delete_lb(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    // Rolling back is a decision people approved; deletion protection guards against accidents.
    let off = LoadBalancerAttribute::builder()
        .key("deletion_protection.enabled")
        .value("false")
        .build();
    g.c.elb
        .modify_load_balancer_attributes()
        .load_balancer_arn(g.id())
        .attributes(off)
        .send()
        .await
        .gone(&doing)?;
    g.c.elb
        .delete_load_balancer()
        .load_balancer_arn(g.id())
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_lb(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.elb
            .describe_load_balancers()
            .load_balancer_arns(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.load_balancers().first().cloned())
        .map(|lb| {
            obj([
                ("name", s(lb.load_balancer_name())),
                (
                    "internal",
                    lb.scheme()
                        .map(|s| Value::Bool(*s == LoadBalancerSchemeEnum::Internal)),
                ),
                (
                    "load_balancer_type",
                    lb.r#type().map(|t| Value::String(t.as_str().to_string())),
                ),
            ])
        }))
}

// ---- Target group ----

pub async fn target_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.elb;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_target_groups()
        .names(name)
        .send()
        .await
        .found(&doing)?;
    let arn = match found.and_then(|o| {
        o.target_groups()
            .first()
            .and_then(|t| t.target_group_arn().map(str::to_string))
    }) {
        Some(arn) => {
            if !elb_is_ours(job, &arn).await? {
                return Err(job.taken("target group", name));
            }
            arn
        }
        None => {
            let hc = job.v.block("health_check");
            let mut req = c
                .create_target_group()
                .name(name)
                .set_port(job.v.opt_i32("port"))
                .set_protocol(job.v.opt_str("protocol").map(ProtocolEnum::from))
                .set_vpc_id(job.v.opt_str("vpc_id").map(str::to_string))
                .target_type(TargetTypeEnum::from(
                    job.v.opt_str("target_type").unwrap_or("instance"),
                ))
                .set_tags(Some(elb_tags(job)));
            if let Some(hc) = hc {
                req = req
                    .set_health_check_path(hc.opt_str("path").map(str::to_string))
                    .set_health_check_interval_seconds(hc.opt_i32("interval"))
                    .set_healthy_threshold_count(hc.opt_i32("healthy_threshold"))
                    .set_unhealthy_threshold_count(hc.opt_i32("unhealthy_threshold"))
                    .set_health_check_timeout_seconds(hc.opt_i32("timeout"))
                    .set_matcher(
                        hc.opt_str("matcher")
                            .map(|m| Matcher::builder().http_code(m).build()),
                    );
            }
            let out = req.send().await.aws(&doing)?;
            out.target_groups()
                .first()
                .and_then(|t| t.target_group_arn())
                .map(str::to_string)
                .ok_or_else(|| {
                    ProviderError::permanent(format!(
                        "AWS did not return the target group it created for {}.",
                        job.address
                    ))
                })?
        }
    };
    if let Some(delay) = job.v.opt_i64("deregistration_delay") {
        let a = TargetGroupAttribute::builder()
            .key("deregistration_delay.timeout_seconds")
            .value(delay.to_string())
            .build();
        c.modify_target_group_attributes()
            .target_group_arn(&arn)
            .attributes(a)
            .send()
            .await
            .aws(&doing)?;
    }
    let suffix = arn
        .rsplit_once(':')
        .map(|(_, r)| r.to_string())
        .unwrap_or_default();
    Ok(Made::new(arn.clone())
        .with("arn", arn)
        .with("arn_suffix", suffix)
        .with("name", name))
}

pub async fn delete_target_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    // A listener or service that just went away may still hold it for a moment.
    g.c.elb
        .delete_target_group()
        .target_group_arn(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["ResourceInUse"]))
}

pub async fn describe_target_group(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.elb
            .describe_target_groups()
            .target_group_arns(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.target_groups().first().cloned())
        .map(|t| {
            obj([
                ("name", s(t.target_group_name())),
                ("port", t.port().map(Value::from)),
                (
                    "protocol",
                    t.protocol().map(|p| Value::String(p.as_str().to_string())),
                ),
                (
                    "target_type",
                    t.target_type()
                        .map(|p| Value::String(p.as_str().to_string())),
                ),
                ("vpc_id", s(t.vpc_id())),
            ])
        }))
}

// ---- Listener ----

fn action(a: &Values<'_>) -> Result<Action, ProviderError> {
    let kind = a.str("type")?;
    let mut b = Action::builder()
        .r#type(ActionTypeEnum::from(kind))
        .set_order(a.opt_i32("order"));
    match kind {
        "forward" => {
            let tg = a.str("target_group_arn")?;
            b = b.target_group_arn(tg).forward_config(
                ForwardActionConfig::builder()
                    .target_groups(TargetGroupTuple::builder().target_group_arn(tg).build())
                    .build(),
            );
        }
        "redirect" => {
            let r = a.block("redirect").ok_or_else(|| {
                ProviderError::permanent(format!(
                    "{} has a redirect action without its redirect block.",
                    a.address
                ))
            })?;
            b = b.redirect_config(
                RedirectActionConfig::builder()
                    .set_port(r.opt_text("port"))
                    .set_protocol(r.opt_str("protocol").map(str::to_string))
                    .set_host(r.opt_str("host").map(str::to_string))
                    .set_path(r.opt_str("path").map(str::to_string))
                    .set_query(r.opt_str("query").map(str::to_string))
                    .status_code(RedirectActionStatusCodeEnum::from(
                        r.opt_str("status_code").unwrap_or("HTTP_301"),
                    ))
                    .build(),
            );
        }
        "fixed-response" => {
            let r = a.block("fixed_response").ok_or_else(|| {
                ProviderError::permanent(format!(
                    "{} has a fixed-response action without its block.",
                    a.address
                ))
            })?;
            b = b.fixed_response_config(
                FixedResponseActionConfig::builder()
                    .status_code(r.opt_text("status_code").unwrap_or_else(|| "404".into()))
                    .set_content_type(r.opt_str("content_type").map(str::to_string))
                    .set_message_body(r.opt_str("message_body").map(str::to_string))
                    .build(),
            );
        }
        other => {
            return Err(ProviderError::permanent(format!(
                "{} asks for a `{other}` listener action, which paved cannot set up; use forward, redirect or fixed-response.",
                a.address
            )));
        }
    }
    Ok(b.build())
}

pub async fn listener(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.elb;
    let doing = format!("create {}", job.address);
    let lb = job.v.str("load_balancer_arn")?;
    let port = job.v.i32("port")?;
    let found = c
        .describe_listeners()
        .load_balancer_arn(lb)
        .send()
        .await
        .aws(&doing)?;
    if let Some(arn) = found
        .listeners()
        .iter()
        .find(|l| l.port() == Some(port))
        .and_then(|l| l.listener_arn())
    {
        if !elb_is_ours(job, arn).await? {
            return Err(job.taken("listener on port", &port.to_string()));
        }
        return Ok(Made::new(arn).with("arn", arn));
    }
    let actions = job
        .v
        .blocks("default_action")
        .iter()
        .map(action)
        .collect::<Result<Vec<_>, _>>()?;
    let out = c
        .create_listener()
        .load_balancer_arn(lb)
        .port(port)
        .set_protocol(job.v.opt_str("protocol").map(ProtocolEnum::from))
        .set_ssl_policy(job.v.opt_str("ssl_policy").map(str::to_string))
        .set_certificates(
            job.v
                .opt_str("certificate_arn")
                .map(|a| vec![Certificate::builder().certificate_arn(a).build()]),
        )
        .set_default_actions(Some(actions))
        .set_tags(Some(elb_tags(job)))
        .send()
        .await
        .aws(&doing)?;
    let arn = out
        .listeners()
        .first()
        .and_then(|l| l.listener_arn())
        .map(str::to_string)
        .ok_or_else(|| {
            ProviderError::permanent(format!(
                "AWS did not return the listener it created for {}.",
                job.address
            ))
        })?;
    Ok(Made::new(arn.clone()).with("arn", arn))
}

pub async fn delete_listener(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.elb
        .delete_listener()
        .listener_arn(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_listener(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.elb
            .describe_listeners()
            .listener_arns(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.listeners().first().cloned()).map(|l| {
        obj([
            ("port", l.port().map(Value::from)),
            (
                "protocol",
                l.protocol().map(|p| Value::String(p.as_str().to_string())),
            ),
            ("ssl_policy", s(l.ssl_policy())),
            ("load_balancer_arn", s(l.load_balancer_arn())),
        ])
    }))
}

// ---- ECS ----

fn ecs_tags(job: &Job<'_>) -> Vec<aws_sdk_ecs::types::Tag> {
    job.tags
        .iter()
        .map(|(k, v)| aws_sdk_ecs::types::Tag::builder().key(k).value(v).build())
        .collect()
}

fn ecs_ours(job: &Job<'_>, tags: &[aws_sdk_ecs::types::Tag]) -> bool {
    job.is_ours(tags.iter().filter_map(|t| Some((t.key()?, t.value()?))))
}

pub async fn ecs_cluster(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ecs;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_clusters()
        .clusters(name)
        .include(aws_sdk_ecs::types::ClusterField::Tags)
        .send()
        .await
        .aws(&doing)?;
    if let Some(cluster) = found
        .clusters()
        .iter()
        .find(|c| c.status() == Some("ACTIVE"))
    {
        if !ecs_ours(job, cluster.tags()) {
            return Err(job.taken("container cluster", name));
        }
        let arn = cluster.cluster_arn().unwrap_or_default();
        return Ok(Made::new(arn).with("arn", arn).with("name", name));
    }
    let settings = job
        .v
        .blocks("setting")
        .iter()
        .filter_map(|s| {
            Some(
                ClusterSetting::builder()
                    .name(ClusterSettingName::from(s.opt_str("name")?))
                    .value(s.opt_str("value")?)
                    .build(),
            )
        })
        .collect();
    let out = c
        .create_cluster()
        .cluster_name(name)
        .set_settings(Some(settings))
        .set_tags(Some(ecs_tags(job)))
        .send()
        .await
        .aws(&doing)?;
    let arn = out
        .cluster()
        .and_then(|c| c.cluster_arn())
        .unwrap_or_default()
        .to_string();
    Ok(Made::new(arn.clone()).with("arn", arn).with("name", name))
}

pub async fn delete_ecs_cluster(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.ecs
        .delete_cluster()
        .cluster(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(
            &doing,
            &[
                "ClusterContainsServicesException",
                "ClusterContainsTasksException",
            ],
        ))
}

pub async fn describe_ecs_cluster(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ecs
            .describe_clusters()
            .clusters(g.id())
            .send()
            .await
            .aws(&format!("read {}", g.item.address))?;
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() == Some("ACTIVE"))
        .map(|c| obj([("name", s(c.cluster_name()))])))
}

/// One container definition from the plan's JSON (ECS's own camelCase names).
fn container(v: &Value, address: &str) -> Result<ContainerDefinition, ProviderError> {
    let m = v.as_object().ok_or_else(|| {
        ProviderError::permanent(format!(
            "{address} has a container definition that is not an object."
        ))
    })?;
    let d = Values::new(address, m);
    let mut b = ContainerDefinition::builder()
        .set_name(d.opt_str("name").map(str::to_string))
        .set_image(d.opt_str("image").map(str::to_string))
        .set_essential(d.opt_bool("essential"))
        .set_cpu(d.opt_i32("cpu"))
        .set_memory(d.opt_i32("memory"))
        .set_memory_reservation(d.opt_i32("memoryReservation"))
        .set_readonly_root_filesystem(d.opt_bool("readonlyRootFilesystem"))
        .set_command(d.get("command").map(|_| d.strs("command")))
        .set_entry_point(d.get("entryPoint").map(|_| d.strs("entryPoint")))
        .set_user(d.opt_str("user").map(str::to_string));
    for p in d.blocks("portMappings") {
        b = b.port_mappings(
            PortMapping::builder()
                .set_container_port(p.opt_i32("containerPort"))
                .set_host_port(p.opt_i32("hostPort"))
                .set_protocol(p.opt_str("protocol").map(TransportProtocol::from))
                .set_name(p.opt_str("name").map(str::to_string))
                .build(),
        );
    }
    for e in d.blocks("environment") {
        b = b.environment(
            KeyValuePair::builder()
                .set_name(e.opt_str("name").map(str::to_string))
                .set_value(e.opt_text("value"))
                .build(),
        );
    }
    for (k, val) in d.string_map("environment_map") {
        b = b.environment(KeyValuePair::builder().name(k).value(val).build());
    }
    for sec in d.blocks("secrets") {
        if let (Some(name), Some(from)) = (sec.opt_str("name"), sec.opt_str("valueFrom")) {
            b = b.secrets(
                aws_sdk_ecs::types::Secret::builder()
                    .name(name)
                    .value_from(from)
                    .build()
                    .map_err(|e| ProviderError::permanent(format!("{address}: {e}")))?,
            );
        }
    }
    if let Some(log) = d.block("logConfiguration") {
        let options = log.string_map("options").into_iter().collect();
        b = b.log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::from(
                    log.opt_str("logDriver").unwrap_or("awslogs"),
                ))
                .set_options(Some(options))
                .build()
                .map_err(|e| ProviderError::permanent(format!("{address}: {e}")))?,
        );
    }
    Ok(b.build())
}

pub async fn task_definition(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ecs;
    let doing = format!("register {}", job.address);
    let family = job.v.str("family")?;
    // The latest revision of the family, when this request registered it, is the one to use.
    let found = c
        .describe_task_definition()
        .task_definition(family)
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .send()
        .await
        .found(&doing)?;
    if let Some(out) = &found
        && ecs_ours(job, out.tags())
        && let Some(arn) = out.task_definition().and_then(|t| t.task_definition_arn())
    {
        return Ok(Made::new(arn).with("arn", arn).with("family", family).with(
            "arn_without_revision",
            arn.rsplit_once(':').map(|(a, _)| a).unwrap_or(arn),
        ));
    }
    let containers = match job.v.get("container_definitions") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|c| container(c, job.address))
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::String(text)) => {
            let parsed: Value = serde_json::from_str(text).map_err(|e| {
                ProviderError::permanent(format!(
                    "{} has container definitions that are not JSON: {e}.",
                    job.address
                ))
            })?;
            parsed
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| container(c, job.address))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default()
        }
        _ => {
            return Err(ProviderError::permanent(format!(
                "{} needs `container_definitions` in the plan.",
                job.address
            )));
        }
    };
    let platform = job.v.block("runtime_platform").map(|p| {
        RuntimePlatform::builder()
            .set_cpu_architecture(p.opt_str("cpu_architecture").map(CpuArchitecture::from))
            .set_operating_system_family(p.opt_str("operating_system_family").map(OsFamily::from))
            .build()
    });
    let out = c
        .register_task_definition()
        .family(family)
        .set_container_definitions(Some(containers))
        .set_cpu(job.v.opt_text("cpu"))
        .set_memory(job.v.opt_text("memory"))
        .set_network_mode(job.v.opt_str("network_mode").map(NetworkMode::from))
        .set_requires_compatibilities(Some(
            job.v
                .strs("requires_compatibilities")
                .iter()
                .map(|c| Compatibility::from(c.as_str()))
                .collect(),
        ))
        .set_execution_role_arn(job.v.opt_str("execution_role_arn").map(str::to_string))
        .set_task_role_arn(job.v.opt_str("task_role_arn").map(str::to_string))
        .set_runtime_platform(platform)
        .set_tags(Some(ecs_tags(job)))
        .send()
        .await
        .aws(&doing)?;
    let arn = out
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .unwrap_or_default()
        .to_string();
    let family_arn = arn
        .rsplit_once(':')
        .map(|(a, _)| a.to_string())
        .unwrap_or_else(|| arn.clone());
    Ok(Made::new(arn.clone())
        .with("arn", arn)
        .with("family", family)
        .with("arn_without_revision", family_arn))
}

pub async fn delete_task_definition(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.ecs
        .deregister_task_definition()
        .task_definition(g.id())
        .send()
        .await
        .gone(&format!("deregister {}", g.item.address))
}

pub async fn describe_task_definition(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ecs
            .describe_task_definition()
            .task_definition(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.task_definition().cloned())
        .filter(|t| t.status() == Some(&aws_sdk_ecs::types::TaskDefinitionStatus::Active))
        .map(|t| {
            obj([
                ("family", s(t.family())),
                ("cpu", s(t.cpu())),
                ("memory", s(t.memory())),
                (
                    "network_mode",
                    t.network_mode()
                        .map(|m| Value::String(m.as_str().to_string())),
                ),
                ("execution_role_arn", s(t.execution_role_arn())),
                ("task_role_arn", s(t.task_role_arn())),
            ])
        }))
}

pub async fn ecs_service(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ecs;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let cluster = job.v.str("cluster")?;
    let found = c
        .describe_services()
        .cluster(cluster)
        .services(name)
        .include(aws_sdk_ecs::types::ServiceField::Tags)
        .send()
        .await
        .aws(&doing)?;
    if let Some(svc) = found
        .services()
        .iter()
        .find(|s| s.status() != Some("INACTIVE"))
    {
        if !ecs_ours(job, svc.tags()) {
            return Err(job.taken("container service", name));
        }
        let arn = svc.service_arn().unwrap_or_default();
        return Ok(Made::new(arn)
            .with("arn", arn)
            .with("name", name)
            .with("cluster", cluster));
    }
    let network = job.v.block("network_configuration").map(|n| {
        let public = if n.bool_or("assign_public_ip", false) {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        };
        AwsVpcConfiguration::builder()
            .set_subnets(Some(n.strs("subnets")))
            .set_security_groups(Some(n.strs("security_groups")))
            .assign_public_ip(public)
            .build()
            .map(|vpc| {
                NetworkConfiguration::builder()
                    .awsvpc_configuration(vpc)
                    .build()
            })
    });
    let network = network
        .transpose()
        .map_err(|e| ProviderError::permanent(format!("{}: {e}", job.address)))?;
    let balancers = job
        .v
        .blocks("load_balancer")
        .iter()
        .map(|l| {
            LoadBalancer::builder()
                .set_target_group_arn(l.opt_str("target_group_arn").map(str::to_string))
                .set_container_name(l.opt_str("container_name").map(str::to_string))
                .set_container_port(l.opt_i32("container_port"))
                .build()
        })
        .collect();
    let breaker = job.v.block("deployment_circuit_breaker").map(|b| {
        DeploymentConfiguration::builder()
            .deployment_circuit_breaker(
                DeploymentCircuitBreaker::builder()
                    .enable(b.bool_or("enable", true))
                    .rollback(b.bool_or("rollback", true))
                    .build(),
            )
            .build()
    });
    let out = c
        .create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(job.v.str("task_definition")?)
        .desired_count(job.v.opt_i32("desired_count").unwrap_or(1))
        .set_launch_type(job.v.opt_str("launch_type").map(LaunchType::from))
        .set_network_configuration(network)
        .set_load_balancers(Some(balancers))
        .set_deployment_configuration(breaker)
        .set_health_check_grace_period_seconds(job.v.opt_i32("health_check_grace_period_seconds"))
        .enable_execute_command(job.v.bool_or("enable_execute_command", false))
        .propagate_tags(aws_sdk_ecs::types::PropagateTags::Service)
        .client_token(job.client_token())
        .set_tags(Some(ecs_tags(job)))
        .send()
        .await
        .aws(&doing)?;
    let arn = out
        .service()
        .and_then(|s| s.service_arn())
        .unwrap_or_default()
        .to_string();
    Ok(Made::new(arn.clone())
        .with("arn", arn)
        .with("name", name)
        .with("cluster", cluster))
}

pub async fn delete_ecs_service(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    let Some(cluster) = g.attr("cluster") else {
        return Err(ProviderError::permanent(format!(
            "The inventory of {} lacks its cluster; delete the service in the console.",
            g.item.address
        )));
    };
    // Force: the tasks are stopped with the service instead of draining to zero first.
    g.c.ecs
        .delete_service()
        .cluster(cluster)
        .service(g.id())
        .force(true)
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_ecs_service(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let Some(cluster) = g.attr("cluster") else {
        return Ok(None);
    };
    let out =
        g.c.ecs
            .describe_services()
            .cluster(cluster)
            .services(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| {
            o.services()
                .iter()
                .find(|s| s.status() != Some("INACTIVE"))
                .cloned()
        })
        .map(|svc| {
            obj([
                ("name", s(svc.service_name())),
                ("desired_count", Some(Value::from(svc.desired_count()))),
                (
                    "launch_type",
                    svc.launch_type()
                        .map(|l| Value::String(l.as_str().to_string())),
                ),
                ("task_definition", s(svc.task_definition())),
            ])
        }))
}

// ---- ECR ----

pub async fn ecr_repository(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ecr;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let found = c
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .found(&doing)?;
    let repo = match found.and_then(|o| o.repositories().first().cloned()) {
        Some(repo) => {
            let arn = repo.repository_arn().unwrap_or_default();
            let tags = c
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
                .aws(&doing)?;
            if !job.is_ours(tags.tags().iter().map(|t| (t.key(), t.value()))) {
                return Err(job.taken("container registry", name));
            }
            repo
        }
        None => {
            let tags = job
                .tags
                .iter()
                .map(|(k, v)| aws_sdk_ecr::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ProviderError::permanent(e.to_string()))?;
            let scan = job.v.block("image_scanning_configuration").map(|b| {
                aws_sdk_ecr::types::ImageScanningConfiguration::builder()
                    .scan_on_push(b.bool_or("scan_on_push", true))
                    .build()
            });
            let encryption = job
                .v
                .block("encryption_configuration")
                .map(|e| {
                    aws_sdk_ecr::types::EncryptionConfiguration::builder()
                        .encryption_type(aws_sdk_ecr::types::EncryptionType::from(
                            e.opt_str("encryption_type").unwrap_or("AES256"),
                        ))
                        .set_kms_key(e.opt_str("kms_key").map(str::to_string))
                        .build()
                })
                .transpose()
                .map_err(|e| ProviderError::permanent(e.to_string()))?;
            let out = c
                .create_repository()
                .repository_name(name)
                .set_image_tag_mutability(
                    job.v
                        .opt_str("image_tag_mutability")
                        .map(aws_sdk_ecr::types::ImageTagMutability::from),
                )
                .set_image_scanning_configuration(scan)
                .set_encryption_configuration(encryption)
                .set_tags(Some(tags))
                .send()
                .await
                .aws(&doing)?;
            out.repository().cloned().ok_or_else(|| {
                ProviderError::permanent(format!(
                    "AWS did not return the registry it created for {}.",
                    job.address
                ))
            })?
        }
    };
    let arn = repo.repository_arn().unwrap_or_default();
    Ok(Made::new(name)
        .with("arn", arn)
        .with("name", name)
        .with("repository_url", repo.repository_uri().unwrap_or_default()))
}

pub async fn delete_ecr_repository(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    let force = g.values().bool_or("force_delete", false);
    g.c.ecr
        .delete_repository()
        .repository_name(g.id())
        .force(force)
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_ecr_repository(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ecr
            .describe_repositories()
            .repository_names(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.repositories().first().cloned())
        .map(|r| {
            obj([
                ("name", s(r.repository_name())),
                (
                    "image_tag_mutability",
                    r.image_tag_mutability()
                        .map(|m| Value::String(m.as_str().to_string())),
                ),
            ])
        }))
}

// ---- Application Auto Scaling ----

use aws_sdk_applicationautoscaling::types::{
    MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
    TargetTrackingScalingPolicyConfiguration,
};

pub async fn scaling_target(job: &Job<'_>) -> Result<Made, ProviderError> {
    let doing = format!("register {}", job.address);
    let resource = job.v.str("resource_id")?;
    // Registering is idempotent: registering again updates the limits.
    let out = job
        .c
        .autoscaling
        .register_scalable_target()
        .service_namespace(ServiceNamespace::from(job.v.str("service_namespace")?))
        .resource_id(resource)
        .scalable_dimension(ScalableDimension::from(job.v.str("scalable_dimension")?))
        .set_min_capacity(job.v.opt_i32("min_capacity"))
        .set_max_capacity(job.v.opt_i32("max_capacity"))
        .set_tags(Some(job.tags.clone().into_iter().collect()))
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(resource).with("arn", out.scalable_target_arn().unwrap_or_default()))
}

pub async fn delete_scaling_target(g: &Gone<'_>) -> Result<(), ProviderError> {
    let v = g.values();
    g.c.autoscaling
        .deregister_scalable_target()
        .service_namespace(ServiceNamespace::from(
            v.opt_str("service_namespace").unwrap_or("ecs"),
        ))
        .resource_id(g.id())
        .scalable_dimension(ScalableDimension::from(
            v.opt_str("scalable_dimension")
                .unwrap_or("ecs:service:DesiredCount"),
        ))
        .send()
        .await
        .gone(&format!("deregister {}", g.item.address))
}

pub async fn describe_scaling_target(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let v = g.values();
    let out =
        g.c.autoscaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::from(
                v.opt_str("service_namespace").unwrap_or("ecs"),
            ))
            .resource_ids(g.id())
            .send()
            .await
            .aws(&format!("read {}", g.item.address))?;
    Ok(out.scalable_targets().first().map(|t| {
        obj([
            ("min_capacity", Some(Value::from(t.min_capacity()))),
            ("max_capacity", Some(Value::from(t.max_capacity()))),
            (
                "resource_id",
                Some(Value::String(t.resource_id().to_string())),
            ),
        ])
    }))
}

pub async fn scaling_policy(job: &Job<'_>) -> Result<Made, ProviderError> {
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let mut req = job
        .c
        .autoscaling
        .put_scaling_policy()
        .policy_name(name)
        .service_namespace(ServiceNamespace::from(job.v.str("service_namespace")?))
        .resource_id(job.v.str("resource_id")?)
        .scalable_dimension(ScalableDimension::from(job.v.str("scalable_dimension")?))
        .policy_type(PolicyType::from(
            job.v
                .opt_str("policy_type")
                .unwrap_or("TargetTrackingScaling"),
        ));
    if let Some(t) = job.v.block("target_tracking_scaling_policy_configuration") {
        let predefined = t
            .block("predefined_metric_specification")
            .map(|p| {
                PredefinedMetricSpecification::builder()
                    .predefined_metric_type(MetricType::from(
                        p.opt_str("predefined_metric_type")
                            .unwrap_or("ECSServiceAverageCPUUtilization"),
                    ))
                    .set_resource_label(p.opt_str("resource_label").map(str::to_string))
                    .build()
            })
            .transpose()
            .map_err(|e| ProviderError::permanent(format!("{}: {e}", job.address)))?;
        let target = t.opt_f64("target_value").ok_or_else(|| {
            ProviderError::permanent(format!(
                "{} needs a target_value for target tracking.",
                job.address
            ))
        })?;
        req = req.target_tracking_scaling_policy_configuration(
            TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(target)
                .set_predefined_metric_specification(predefined)
                .set_scale_in_cooldown(t.opt_i32("scale_in_cooldown"))
                .set_scale_out_cooldown(t.opt_i32("scale_out_cooldown"))
                .set_disable_scale_in(t.opt_bool("disable_scale_in"))
                .build()
                .map_err(|e| ProviderError::permanent(format!("{}: {e}", job.address)))?,
        );
    }
    let out = req.send().await.aws(&doing)?;
    let arn = out.policy_arn().to_string();
    Ok(Made::new(name).with("arn", arn).with("name", name))
}

pub async fn delete_scaling_policy(g: &Gone<'_>) -> Result<(), ProviderError> {
    let v = g.values();
    g.c.autoscaling
        .delete_scaling_policy()
        .policy_name(g.id())
        .service_namespace(ServiceNamespace::from(
            v.opt_str("service_namespace").unwrap_or("ecs"),
        ))
        .resource_id(v.opt_str("resource_id").unwrap_or_default())
        .scalable_dimension(ScalableDimension::from(
            v.opt_str("scalable_dimension")
                .unwrap_or("ecs:service:DesiredCount"),
        ))
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_scaling_policy(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let v = g.values();
    let out =
        g.c.autoscaling
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::from(
                v.opt_str("service_namespace").unwrap_or("ecs"),
            ))
            .policy_names(g.id())
            .set_resource_id(v.opt_str("resource_id").map(str::to_string))
            .send()
            .await
            .aws(&format!("read {}", g.item.address))?;
    Ok(out.scaling_policies().first().map(|p| {
        obj([
            ("name", Some(Value::String(p.policy_name().to_string()))),
            (
                "policy_type",
                Some(Value::String(p.policy_type().as_str().to_string())),
            ),
            (
                "resource_id",
                Some(Value::String(p.resource_id().to_string())),
            ),
        ])
    }))
}

// ---- Lambda ----

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    Architecture, Environment, FunctionCode, Runtime, TracingConfig, TracingMode, VpcConfig,
};

pub async fn lambda_function(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.lambda;
    let doing = format!("create {}", job.address);
    let name = job.v.str("function_name")?;
    let found = c
        .get_function()
        .function_name(name)
        .send()
        .await
        .found(&doing)?;
    let arn = match found.as_ref().and_then(|f| {
        f.configuration()
            .and_then(|c| c.function_arn())
            .map(str::to_string)
    }) {
        Some(arn) => {
            let tags = found
                .as_ref()
                .and_then(|f| f.tags())
                .cloned()
                .unwrap_or_default();
            if !job.is_ours(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
                return Err(job.taken("function", name));
            }
            arn
        }
        None => {
            let runtime = job.v.opt_str("runtime").unwrap_or("nodejs20.x");
            let handler = job.v.opt_str("handler").unwrap_or("index.handler");
            let code = match (
                job.v.opt_str("s3_bucket"),
                job.v.opt_str("s3_key"),
                job.v.opt_str("image_uri"),
            ) {
                (Some(bucket), Some(key), _) => FunctionCode::builder()
                    .s3_bucket(bucket)
                    .s3_key(key)
                    .build(),
                (_, _, Some(image)) => FunctionCode::builder().image_uri(image).build(),
                _ => FunctionCode::builder()
                    .zip_file(Blob::new(super::placeholder::package(runtime, handler)))
                    .build(),
            };
            let env = job.v.block("environment").map(|e| {
                Environment::builder()
                    .set_variables(Some(e.string_map("variables").into_iter().collect()))
                    .build()
            });
            let vpc = job
                .v
                .block("vpc_config")
                .filter(|v| !v.strs("subnet_ids").is_empty())
                .map(|v| {
                    VpcConfig::builder()
                        .set_subnet_ids(Some(v.strs("subnet_ids")))
                        .set_security_group_ids(Some(v.strs("security_group_ids")))
                        .build()
                });
            let tracing = job
                .v
                .block("tracing_config")
                .and_then(|t| t.opt_str("mode"))
                .map(|m| TracingConfig::builder().mode(TracingMode::from(m)).build());
            let out = c
                .create_function()
                .function_name(name)
                .role(job.v.str("role")?)
                .runtime(Runtime::from(runtime))
                .handler(handler)
                .code(code)
                .set_memory_size(job.v.opt_i32("memory_size"))
                .set_timeout(job.v.opt_i32("timeout"))
                .set_description(job.v.opt_str("description").map(str::to_string))
                .set_architectures(Some(
                    job.v
                        .strs("architectures")
                        .iter()
                        .map(|a| Architecture::from(a.as_str()))
                        .collect(),
                ))
                .set_environment(env)
                .set_vpc_config(vpc)
                .set_tracing_config(tracing)
                .set_kms_key_arn(job.v.opt_str("kms_key_arn").map(str::to_string))
                .set_tags(Some(job.tags.clone().into_iter().collect()))
                .send()
                .await
                .map_err(|e| {
                    // A role made seconds ago may not be assumable by Lambda yet (IAM is
                    // eventually consistent); that one refusal is worth retrying.
                    let f = super::error::Failure::of(&e);
                    if f.message
                        .as_deref()
                        .is_some_and(|m| m.contains("cannot be assumed"))
                    {
                        ProviderError::transient(f.sentence(&doing))
                    } else {
                        f.into_error(&doing)
                    }
                })?;
            out.function_arn().unwrap_or_default().to_string()
        }
    };
    if let Some(n) = job
        .v
        .opt_i32("reserved_concurrent_executions")
        .filter(|n| *n >= 0)
    {
        c.put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(n)
            .send()
            .await
            .aws(&doing)?;
    }
    let invoke = format!(
        "arn:aws:apigateway:{}:lambda:path/2015-03-31/functions/{arn}/invocations",
        job.c.region
    );
    Ok(Made::new(name)
        .with("arn", arn.clone())
        .with("function_name", name)
        .with("invoke_arn", invoke)
        .with("qualified_arn", format!("{arn}:$LATEST")))
}

pub async fn delete_lambda_function(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.lambda
        .delete_function()
        .function_name(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_lambda_function(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.lambda
            .get_function_configuration()
            .function_name(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|f| {
        obj([
            ("function_name", s(f.function_name())),
            ("handler", s(f.handler())),
            (
                "runtime",
                f.runtime().map(|r| Value::String(r.as_str().to_string())),
            ),
            ("memory_size", f.memory_size().map(Value::from)),
            ("timeout", f.timeout().map(Value::from)),
            ("role", s(f.role())),
        ])
    }))
}

pub async fn lambda_permission(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.lambda;
    let doing = format!("create {}", job.address);
    let function = job.v.str("function_name")?;
    let sid = job.v.opt_str("statement_id").unwrap_or(job.address);
    if permission_statement(c, function, sid, &doing)
        .await?
        .is_some()
    {
        return Ok(Made::new(sid)
            .with("statement_id", sid)
            .with("function_name", function));
    }
    c.add_permission()
        .function_name(function)
        .statement_id(sid)
        .action(job.v.opt_str("action").unwrap_or("lambda:InvokeFunction"))
        .principal(job.v.str("principal")?)
        .set_source_arn(job.v.opt_str("source_arn").map(str::to_string))
        .set_source_account(job.v.opt_str("source_account").map(str::to_string))
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(sid)
        .with("statement_id", sid)
        .with("function_name", function))
}

async fn permission_statement(
    c: &aws_sdk_lambda::Client,
    function: &str,
    sid: &str,
    doing: &str,
) -> Result<Option<Value>, ProviderError> {
    let Some(out) = c
        .get_policy()
        .function_name(function)
        .send()
        .await
        .found(doing)?
    else {
        return Ok(None);
    };
    let policy: Value = out
        .policy()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    Ok(policy
        .get("Statement")
        .and_then(Value::as_array)
        .and_then(|st| {
            st.iter()
                .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
                .cloned()
        }))
}

pub async fn delete_lambda_permission(g: &Gone<'_>) -> Result<(), ProviderError> {
    let Some(function) = g.attr("function_name") else {
        return Ok(());
    };
    g.c.lambda
        .remove_permission()
        .function_name(function)
        .statement_id(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_lambda_permission(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let Some(function) = g.attr("function_name") else {
        return Ok(None);
    };
    let st = permission_statement(
        &g.c.lambda,
        function,
        g.id(),
        &format!("read {}", g.item.address),
    )
    .await?;
    Ok(st.map(|st| {
        let action = st.get("Action").cloned();
        obj([
            ("statement_id", Some(Value::String(g.id().to_string()))),
            ("action", action),
        ])
    }))
}
