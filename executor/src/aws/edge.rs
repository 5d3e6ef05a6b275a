//! The edge: certificates, API Gateway REST APIs and their parts, WAF web ACLs.

use aws_sdk_apigateway::types::{
    AuthorizerType, EndpointConfiguration, EndpointType, Op, PatchOperation, QuotaPeriodType,
    QuotaSettings, ThrottleSettings,
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

// ---- ACM ----

pub async fn certificate(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.acm;
    let doing = format!("request {}", job.address);
    let tags = job
        .tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_acm::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::permanent(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The idempotency token makes a repeated request return the same certificate.
    let token: String = job.client_token().chars().take(32).collect();
    let out = c
        .request_certificate()
        .domain_name(job.v.str("domain_name")?)
        .set_subject_alternative_names(
            job.v
                .get("subject_alternative_names")
                .map(|_| job.v.strs("subject_alternative_names")),
        )
        .validation_method(aws_sdk_acm::types::ValidationMethod::from(
            job.v.opt_str("validation_method").unwrap_or("DNS"),
        ))
        .idempotency_token(token)
        .set_tags(Some(tags))
        .send()
        .await
        .aws(&doing)?;
    let arn = out.certificate_arn().unwrap_or_default().to_string();
    Ok(Made::new(arn.clone()).with("arn", arn))
}

pub async fn delete_certificate(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    // A listener deleted a moment ago may still hold it.
    g.c.acm
        .delete_certificate()
        .certificate_arn(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["ResourceInUseException"]))
}

pub async fn describe_certificate(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.acm
            .describe_certificate()
            .certificate_arn(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.certificate().cloned()).map(|cert| {
        let method = cert
            .domain_validation_options()
            .first()
            .and_then(|d| d.validation_method())
            .map(|m| Value::String(m.as_str().to_string()));
        obj([
            ("domain_name", s(cert.domain_name())),
            ("validation_method", method),
        ])
    }))
}

// ---- API Gateway (REST) ----

pub async fn rest_api(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.apigateway;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let list = c.get_rest_apis().limit(500).send().await.aws(&doing)?;
    let mine = list.items().iter().find(|a| {
        a.name() == Some(name)
            && a.tags()
                .map(|t| job.is_ours(t.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
                .unwrap_or(false)
    });
    let (id, root) = match mine {
        Some(api) => (
            api.id().unwrap_or_default().to_string(),
            api.root_resource_id().unwrap_or_default().to_string(),
        ),
        None => {
            let types = job
                .v
                .block("endpoint_configuration")
                .map(|e| e.strs("types"))
                .unwrap_or_default();
            let endpoint = (!types.is_empty()).then(|| {
                EndpointConfiguration::builder()
                    .set_types(Some(
                        types
                            .iter()
                            .map(|t| EndpointType::from(t.as_str()))
                            .collect(),
                    ))
                    .build()
            });
            let out = c
                .create_rest_api()
                .name(name)
                .set_description(job.v.opt_str("description").map(str::to_string))
                .set_endpoint_configuration(endpoint)
                .disable_execute_api_endpoint(job.v.bool_or("disable_execute_api_endpoint", false))
                .set_tags(Some(job.tags.clone().into_iter().collect()))
                .send()
                .await
                .aws(&doing)?;
            (
                out.id().unwrap_or_default().to_string(),
                out.root_resource_id().unwrap_or_default().to_string(),
            )
        }
    };
    // The API's routes and integrations, as an OpenAPI document (Terraform's `body`): writing
    // it again replaces the API's definition whole, so a repeat is harmless.
    if let Some(body) = job.v.json_text("body") {
        c.put_rest_api()
            .rest_api_id(&id)
            .mode(aws_sdk_apigateway::types::PutMode::Overwrite)
            .fail_on_warnings(job.v.bool_or("fail_on_warnings", false))
            .body(aws_sdk_apigateway::primitives::Blob::new(body.into_bytes()))
            .send()
            .await
            .aws(&doing)?;
    }
    let account = job.c.account().await?;
    let region = &job.c.region;
    Ok(Made::new(id.clone())
        .with(
            "arn",
            format!("arn:aws:apigateway:{region}::/restapis/{id}"),
        )
        .with(
            "execution_arn",
            format!("arn:aws:execute-api:{region}:{account}:{id}"),
        )
        .with("root_resource_id", root)
        .with("name", name))
}

pub async fn delete_rest_api(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.apigateway
        .delete_rest_api()
        .rest_api_id(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_rest_api(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.apigateway
            .get_rest_api()
            .rest_api_id(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|a| obj([("name", s(a.name())), ("description", s(a.description()))])))
}

fn rest_api_of<'a>(g: &'a Gone<'_>) -> Result<&'a str, ProviderError> {
    g.attr("rest_api_id").ok_or_else(|| {
        ProviderError::permanent(format!(
            "The inventory of {} lacks its REST API id; delete it in the console.",
            g.item.address
        ))
    })
}

pub async fn authorizer(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.apigateway;
    let doing = format!("create {}", job.address);
    let api = job.v.str("rest_api_id")?;
    let name = job.v.str("name")?;
    let list = c
        .get_authorizers()
        .rest_api_id(api)
        .send()
        .await
        .aws(&doing)?;
    if let Some(id) = list
        .items()
        .iter()
        .find(|a| a.name() == Some(name))
        .and_then(|a| a.id())
    {
        return Ok(Made::new(id).with("rest_api_id", api));
    }
    let out = c
        .create_authorizer()
        .rest_api_id(api)
        .name(name)
        .r#type(AuthorizerType::from(
            job.v.opt_str("type").unwrap_or("TOKEN"),
        ))
        .set_authorizer_uri(job.v.opt_str("authorizer_uri").map(str::to_string))
        .set_identity_source(job.v.opt_str("identity_source").map(str::to_string))
        .set_authorizer_result_ttl_in_seconds(job.v.opt_i32("authorizer_result_ttl_in_seconds"))
        .set_authorizer_credentials(job.v.opt_str("authorizer_credentials").map(str::to_string))
        .set_provider_arns(
            job.v
                .get("provider_arns")
                .map(|_| job.v.strs("provider_arns")),
        )
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(out.id().unwrap_or_default()).with("rest_api_id", api))
}

pub async fn delete_authorizer(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.apigateway
        .delete_authorizer()
        .rest_api_id(rest_api_of(g)?)
        .authorizer_id(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_authorizer(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.apigateway
            .get_authorizer()
            .rest_api_id(rest_api_of(g)?)
            .authorizer_id(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|a| {
        obj([
            ("name", s(a.name())),
            (
                "type",
                a.r#type().map(|t| Value::String(t.as_str().to_string())),
            ),
            ("identity_source", s(a.identity_source())),
            (
                "authorizer_result_ttl_in_seconds",
                a.authorizer_result_ttl_in_seconds().map(Value::from),
            ),
        ])
    }))
}

pub async fn deployment(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.apigateway;
    let doing = format!("create {}", job.address);
    let api = job.v.str("rest_api_id")?;
    // A deployment carries the request and address in its description, the only text it has.
    let marker = format!("paved {} {}", job.ctx.request_id, job.address);
    let list = c
        .get_deployments()
        .rest_api_id(api)
        .send()
        .await
        .aws(&doing)?;
    if let Some(id) = list
        .items()
        .iter()
        .find(|d| d.description() == Some(marker.as_str()))
        .and_then(|d| d.id())
    {
        return Ok(Made::new(id).with("rest_api_id", api));
    }
    let out = c
        .create_deployment()
        .rest_api_id(api)
        .description(&marker)
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(out.id().unwrap_or_default()).with("rest_api_id", api))
}

pub async fn delete_deployment(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.apigateway
        .delete_deployment()
        .rest_api_id(rest_api_of(g)?)
        .deployment_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(&doing, &["ConflictException"]))
}

pub async fn describe_deployment(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let api = rest_api_of(g)?;
    let out =
        g.c.apigateway
            .get_deployment()
            .rest_api_id(api)
            .deployment_id(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|_| obj([("rest_api_id", Some(Value::String(api.to_string())))])))
}

fn patch(op: Op, path: &str, value: impl Into<String>) -> PatchOperation {
    PatchOperation::builder()
        .op(op)
        .path(path)
        .value(value)
        .build()
}

pub async fn stage(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.apigateway;
    let doing = format!("create {}", job.address);
    let api = job.v.str("rest_api_id")?;
    let name = job.v.str("stage_name")?;
    let found = c
        .get_stage()
        .rest_api_id(api)
        .stage_name(name)
        .send()
        .await
        .found(&doing)?;
    if found.is_none() {
        c.create_stage()
            .rest_api_id(api)
            .stage_name(name)
            .deployment_id(job.v.str("deployment_id")?)
            .set_description(job.v.opt_str("description").map(str::to_string))
            .tracing_enabled(job.v.bool_or("xray_tracing_enabled", false))
            .set_tags(Some(job.tags.clone().into_iter().collect()))
            .send()
            .await
            .aws(&doing)?;
    }
    if let Some(logs) = job.v.block("access_log_settings") {
        let mut ops = Vec::new();
        if let Some(dest) = logs.opt_str("destination_arn") {
            ops.push(patch(
                Op::Replace,
                "/accessLogSettings/destinationArn",
                dest.trim_end_matches(":*"),
            ));
        }
        if let Some(format) = logs.opt_str("format") {
            ops.push(patch(Op::Replace, "/accessLogSettings/format", format));
        }
        c.update_stage()
            .rest_api_id(api)
            .stage_name(name)
            .set_patch_operations(Some(ops))
            .send()
            .await
            .aws(&doing)?;
    }
    let region = &job.c.region;
    let account = job.c.account().await?;
    Ok(Made::new(format!("ags-{api}-{name}"))
        .with(
            "arn",
            format!("arn:aws:apigateway:{region}::/restapis/{api}/stages/{name}"),
        )
        .with(
            "execution_arn",
            format!("arn:aws:execute-api:{region}:{account}:{api}/{name}"),
        )
        .with(
            "invoke_url",
            format!("https://{api}.execute-api.{region}.amazonaws.com/{name}"),
        )
        .with("rest_api_id", api)
        .with("stage_name", name))
}

pub async fn delete_stage(g: &Gone<'_>) -> Result<(), ProviderError> {
    let name = g.attr("stage_name").unwrap_or_default();
    g.c.apigateway
        .delete_stage()
        .rest_api_id(rest_api_of(g)?)
        .stage_name(name)
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_stage(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let name = g.attr("stage_name").unwrap_or_default();
    let out =
        g.c.apigateway
            .get_stage()
            .rest_api_id(rest_api_of(g)?)
            .stage_name(name)
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|st| {
        obj([
            ("stage_name", s(st.stage_name())),
            ("deployment_id", s(st.deployment_id())),
            (
                "xray_tracing_enabled",
                Some(Value::Bool(st.tracing_enabled())),
            ),
        ])
    }))
}

/// The settings block as patch operations on `/{method_path}/...`.
fn method_patches(path: &str, settings: &Values<'_>) -> Vec<PatchOperation> {
    let mut ops = Vec::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            ops.push(patch(Op::Replace, &format!("/{path}/{key}"), v));
        }
    };
    put(
        "metrics/enabled",
        settings.opt_bool("metrics_enabled").map(|b| b.to_string()),
    );
    put(
        "logging/loglevel",
        settings.opt_str("logging_level").map(str::to_string),
    );
    put(
        "logging/dataTrace",
        settings
            .opt_bool("data_trace_enabled")
            .map(|b| b.to_string()),
    );
    put(
        "throttling/burstLimit",
        settings
            .opt_i64("throttling_burst_limit")
            .map(|n| n.to_string()),
    );
    put(
        "throttling/rateLimit",
        settings
            .opt_f64("throttling_rate_limit")
            .map(|n| n.to_string()),
    );
    put(
        "caching/enabled",
        settings.opt_bool("caching_enabled").map(|b| b.to_string()),
    );
    ops
}

pub async fn method_settings(job: &Job<'_>) -> Result<Made, ProviderError> {
    let api = job.v.str("rest_api_id")?;
    let stage = job.v.str("stage_name")?;
    let path = job.v.str("method_path")?;
    let settings = job.v.block("settings").ok_or_else(|| {
        ProviderError::permanent(format!(
            "{} needs a `settings` block in the plan.",
            job.address
        ))
    })?;
    // Setting the same values again is harmless, so there is nothing to look for first.
    job.c
        .apigateway
        .update_stage()
        .rest_api_id(api)
        .stage_name(stage)
        .set_patch_operations(Some(method_patches(path, &settings)))
        .send()
        .await
        .aws(&format!("configure {}", job.address))?;
    Ok(Made::new(format!("{api}-{stage}-{path}"))
        .with("rest_api_id", api)
        .with("stage_name", stage)
        .with("method_path", path))
}

pub async fn delete_method_settings(g: &Gone<'_>) -> Result<(), ProviderError> {
    let (Some(stage), Some(path)) = (g.attr("stage_name"), g.attr("method_path")) else {
        return Ok(());
    };
    let op = PatchOperation::builder()
        .op(Op::Remove)
        .path(format!("/{path}"))
        .build();
    g.c.apigateway
        .update_stage()
        .rest_api_id(rest_api_of(g)?)
        .stage_name(stage)
        .patch_operations(op)
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_method_settings(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let (Some(stage), Some(path)) = (g.attr("stage_name"), g.attr("method_path")) else {
        return Ok(None);
    };
    let out =
        g.c.apigateway
            .get_stage()
            .rest_api_id(rest_api_of(g)?)
            .stage_name(stage)
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|st| st.method_settings().and_then(|m| m.get(path)).cloned())
        .map(|m| {
            obj([
                ("method_path", Some(Value::String(path.to_string()))),
                ("stage_name", Some(Value::String(stage.to_string()))),
                (
                    "paved:metrics_enabled",
                    Some(Value::Bool(m.metrics_enabled())),
                ),
            ])
        }))
}

pub async fn usage_plan(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.apigateway;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let list = c.get_usage_plans().limit(500).send().await.aws(&doing)?;
    let mine = list.items().iter().find(|p| {
        p.name() == Some(name)
            && p.tags()
                .map(|t| job.is_ours(t.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
                .unwrap_or(false)
    });
    if let Some(id) = mine.and_then(|p| p.id()) {
        return Ok(Made::new(id).with("name", name));
    }
    let stages = job
        .v
        .blocks("api_stages")
        .iter()
        .map(|s| {
            aws_sdk_apigateway::types::ApiStage::builder()
                .set_api_id(s.opt_str("api_id").map(str::to_string))
                .set_stage(s.opt_str("stage").map(str::to_string))
                .build()
        })
        .collect();
    let throttle = job.v.block("throttle_settings").map(|t| {
        ThrottleSettings::builder()
            .set_burst_limit(t.opt_i32("burst_limit"))
            .set_rate_limit(t.opt_f64("rate_limit"))
            .build()
    });
    let quota = job.v.block("quota_settings").map(|q| {
        QuotaSettings::builder()
            .set_limit(q.opt_i32("limit"))
            .set_offset(q.opt_i32("offset"))
            .set_period(q.opt_str("period").map(QuotaPeriodType::from))
            .build()
    });
    let out = c
        .create_usage_plan()
        .name(name)
        .set_description(job.v.opt_str("description").map(str::to_string))
        .set_api_stages(Some(stages))
        .set_throttle(throttle)
        .set_quota(quota)
        .set_tags(Some(job.tags.clone().into_iter().collect()))
        .send()
        .await
        .aws(&doing)?;
    Ok(Made::new(out.id().unwrap_or_default()).with("name", name))
}

pub async fn delete_usage_plan(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    // A plan still bound to stages cannot be deleted; unbind them first.
    if let Some(plan) =
        g.c.apigateway
            .get_usage_plan()
            .usage_plan_id(g.id())
            .send()
            .await
            .found(&doing)?
    {
        let ops: Vec<PatchOperation> = plan
            .api_stages()
            .iter()
            .map(|s| {
                PatchOperation::builder()
                    .op(Op::Remove)
                    .path("/apiStages")
                    .value(format!(
                        "{}:{}",
                        s.api_id().unwrap_or_default(),
                        s.stage().unwrap_or_default()
                    ))
                    .build()
            })
            .collect();
        if !ops.is_empty() {
            g.c.apigateway
                .update_usage_plan()
                .usage_plan_id(g.id())
                .set_patch_operations(Some(ops))
                .send()
                .await
                .gone(&doing)?;
        }
    }
    g.c.apigateway
        .delete_usage_plan()
        .usage_plan_id(g.id())
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_usage_plan(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.apigateway
            .get_usage_plan()
            .usage_plan_id(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.map(|p| obj([("name", s(p.name()))])))
}

// ---- WAF ----

use aws_sdk_wafv2::types::{
    AllowAction, BlockAction, CountAction, DefaultAction, ManagedRuleGroupStatement, NoneAction,
    OverrideAction, RateBasedStatement, RateBasedStatementAggregateKeyType, Rule, RuleAction,
    Scope, Statement, VisibilityConfig,
};

fn waf_err(address: &str) -> impl Fn(aws_sdk_wafv2::error::BuildError) -> ProviderError + '_ {
    move |e| {
        ProviderError::permanent(format!(
            "{address} has a web ACL setting AWS cannot take: {e}."
        ))
    }
}

fn visibility(
    v: Option<Values<'_>>,
    fallback: &str,
    address: &str,
) -> Result<VisibilityConfig, ProviderError> {
    let v = v.as_ref();
    VisibilityConfig::builder()
        .cloud_watch_metrics_enabled(
            v.and_then(|v| v.opt_bool("cloudwatch_metrics_enabled"))
                .unwrap_or(true),
        )
        .metric_name(v.and_then(|v| v.opt_str("metric_name")).unwrap_or(fallback))
        .sampled_requests_enabled(
            v.and_then(|v| v.opt_bool("sampled_requests_enabled"))
                .unwrap_or(true),
        )
        .build()
        .map_err(waf_err(address))
}

fn statement(st: &Values<'_>) -> Result<Statement, ProviderError> {
    if let Some(m) = st.block("managed_rule_group_statement") {
        let group = ManagedRuleGroupStatement::builder()
            .vendor_name(m.opt_str("vendor_name").unwrap_or("AWS"))
            .name(m.str("name")?)
            .set_version(m.opt_str("version").map(str::to_string))
            .build()
            .map_err(waf_err(st.address))?;
        return Ok(Statement::builder()
            .managed_rule_group_statement(group)
            .build());
    }
    if let Some(r) = st.block("rate_based_statement") {
        let rate = RateBasedStatement::builder()
            .limit(r.opt_i64("limit").unwrap_or(2000))
            .aggregate_key_type(RateBasedStatementAggregateKeyType::from(
                r.opt_str("aggregate_key_type").unwrap_or("IP"),
            ))
            .set_evaluation_window_sec(r.opt_i64("evaluation_window_sec"))
            .build()
            .map_err(waf_err(st.address))?;
        return Ok(Statement::builder().rate_based_statement(rate).build());
    }
    let kinds: Vec<&str> = st.map.keys().map(String::as_str).collect();
    Err(ProviderError::permanent(format!(
        "{} uses a WAF statement paved cannot set up ({}); use a managed rule group or a rate-based statement.",
        st.address,
        kinds.join(", ")
    )))
}

fn rule_action(v: &Values<'_>) -> Option<RuleAction> {
    if v.get("block").is_some() {
        Some(
            RuleAction::builder()
                .block(BlockAction::builder().build())
                .build(),
        )
    } else if v.get("allow").is_some() {
        Some(
            RuleAction::builder()
                .allow(AllowAction::builder().build())
                .build(),
        )
    } else if v.get("count").is_some() {
        Some(
            RuleAction::builder()
                .count(CountAction::builder().build())
                .build(),
        )
    } else {
        None
    }
}

pub async fn web_acl(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.wafv2;
    let doing = format!("create {}", job.address);
    let name = job.v.str("name")?;
    let scope = Scope::from(job.v.opt_str("scope").unwrap_or("REGIONAL"));
    let list = c
        .list_web_acls()
        .scope(scope.clone())
        .limit(100)
        .send()
        .await
        .aws(&doing)?;
    if let Some(acl) = list.web_acls().iter().find(|a| a.name() == Some(name)) {
        let arn = acl.arn().unwrap_or_default().to_string();
        let tags = c
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .aws(&doing)?;
        let pairs: Vec<(String, String)> = tags
            .tag_info_for_resource()
            .map(|t| t.tag_list())
            .unwrap_or_default()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        if !job.is_ours(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Err(job.taken("web ACL", name));
        }
        return Ok(Made::new(acl.id().unwrap_or_default())
            .with("arn", arn)
            .with("name", name)
            .with("scope", scope.as_str()));
    }
    let default = match job.v.block("default_action") {
        Some(d) if d.get("block").is_some() => DefaultAction::builder()
            .block(BlockAction::builder().build())
            .build(),
        _ => DefaultAction::builder()
            .allow(AllowAction::builder().build())
            .build(),
    };
    let mut rules = Vec::new();
    for r in job.v.blocks("rule") {
        let rname = r.str("name")?;
        let st = r.block("statement").ok_or_else(|| {
            ProviderError::permanent(format!(
                "{} has the rule {rname} without a statement.",
                job.address
            ))
        })?;
        let mut b = Rule::builder()
            .name(rname)
            .priority(r.opt_i32("priority").unwrap_or(rules.len() as i32 + 1))
            .statement(statement(&st)?)
            .visibility_config(visibility(
                r.block("visibility_config"),
                rname,
                job.address,
            )?);
        if r.block("override_action").is_some() {
            b = b.override_action(
                OverrideAction::builder()
                    .none(NoneAction::builder().build())
                    .build(),
            );
        } else if let Some(action) = r.block("action").as_ref().and_then(rule_action) {
            b = b.action(action);
        }
        rules.push(b.build().map_err(waf_err(job.address))?);
    }
    let tags = job
        .tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_wafv2::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(waf_err(job.address))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = c
        .create_web_acl()
        .name(name)
        .scope(scope.clone())
        .default_action(default)
        .set_rules(Some(rules))
        .visibility_config(visibility(
            job.v.block("visibility_config"),
            name,
            job.address,
        )?)
        .set_description(job.v.opt_str("description").map(str::to_string))
        .set_tags(Some(tags))
        .send()
        .await
        .aws(&doing)?;
    let summary = out.summary();
    Ok(Made::new(summary.and_then(|s| s.id()).unwrap_or_default())
        .with("arn", summary.and_then(|s| s.arn()).unwrap_or_default())
        .with("name", name)
        .with("scope", scope.as_str()))
}

pub async fn delete_web_acl(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    let scope = Scope::from(g.attr("scope").unwrap_or("REGIONAL"));
    let name = g.attr("name").unwrap_or_default();
    let Some(current) =
        g.c.wafv2
            .get_web_acl()
            .id(g.id())
            .name(name)
            .scope(scope.clone())
            .send()
            .await
            .found(&doing)?
    else {
        return Ok(());
    };
    let token = current.lock_token().unwrap_or_default();
    // A stale lock token means someone changed it meanwhile; reading it again fixes that.
    g.c.wafv2
        .delete_web_acl()
        .id(g.id())
        .name(name)
        .scope(scope)
        .lock_token(token)
        .send()
        .await
        .map(|_| ())
        .or_else(delete_outcome(
            &doing,
            &["WAFOptimisticLockException", "WAFAssociatedItemException"],
        ))
}

pub async fn describe_web_acl(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let scope = Scope::from(g.attr("scope").unwrap_or("REGIONAL"));
    let name = g.attr("name").unwrap_or_default();
    let out =
        g.c.wafv2
            .get_web_acl()
            .id(g.id())
            .name(name)
            .scope(scope)
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.web_acl().cloned()).map(|acl| {
        obj([
            ("name", Some(Value::String(acl.name().to_string()))),
            ("paved:rule_count", Some(Value::from(acl.rules().len()))),
        ])
    }))
}

pub async fn web_acl_association(job: &Job<'_>) -> Result<Made, ProviderError> {
    let doing = format!("associate {}", job.address);
    let acl = job.v.str("web_acl_arn")?;
    let resource = job.v.str("resource_arn")?;
    let current = job
        .c
        .wafv2
        .get_web_acl_for_resource()
        .resource_arn(resource)
        .send()
        .await
        .found(&doing)?;
    let already = current
        .and_then(|o| o.web_acl().map(|w| w.arn().to_string()))
        .is_some_and(|a| a == acl);
    if !already {
        job.c
            .wafv2
            .associate_web_acl()
            .web_acl_arn(acl)
            .resource_arn(resource)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(format!("{acl},{resource}"))
        .with("web_acl_arn", acl)
        .with("resource_arn", resource))
}

pub async fn delete_web_acl_association(g: &Gone<'_>) -> Result<(), ProviderError> {
    let Some(resource) = g.attr("resource_arn") else {
        return Ok(());
    };
    g.c.wafv2
        .disassociate_web_acl()
        .resource_arn(resource)
        .send()
        .await
        .gone(&format!("disassociate {}", g.item.address))
}

pub async fn describe_web_acl_association(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let Some(resource) = g.attr("resource_arn") else {
        return Ok(None);
    };
    let out =
        g.c.wafv2
            .get_web_acl_for_resource()
            .resource_arn(resource)
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.web_acl().cloned()).map(|acl| {
        obj([
            ("web_acl_arn", Some(Value::String(acl.arn().to_string()))),
            ("resource_arn", Some(Value::String(resource.to_string()))),
        ])
    }))
}
