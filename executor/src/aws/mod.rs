//! The AWS provider: applies a plan's Terraform-style resources through the official AWS SDK.
//!
//! - Credentials and region come from aws-config's standard chain (environment, profile, SSO,
//!   instance role); [`AwsConfig::endpoint_url`] points every client at an emulator, a VPC endpoint
//!   or a test proxy instead.
//! - Every resource type the shipped golden paths plan is mapped from its Terraform attributes to
//!   SDK calls ([`SUPPORTED`]); the executor refuses a plan with any other type before it starts.
//! - Every created resource carries the tags `paved:request-id`, `paved:plan-hash`,
//!   `paved:address`, `environment` and `owner` (where the API can tag it), creation calls pass a
//!   client token where the API has one, and each create first looks for what a previous run of
//!   the same request made (by tag, or by name and tag), so a resumed deployment never creates
//!   twice.
//! - References between resources (`aws_vpc.main.id` inside a value) are resolved from the
//!   deployment's inventory in the [`Ledger`], which the executor fills before any dependant runs.
//! - Throttling, 5xx answers and network failures are [`ProviderError::transient`] (the executor
//!   retries them); everything else is permanent, with AWS's own words in one sentence.

mod clients;
mod compute;
mod data;
mod edge;
mod error;
mod network;
mod observe;
mod placeholder;
mod refs;
mod values;
mod wait;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paved_core::message::ProgressV1;
use paved_core::{Resource, ResourceAction};
use serde_json::{Map, Value};
use tokio::sync::mpsc::UnboundedSender;

use crate::ledger::Ledger;
use crate::provider::{Applied, DeployContext, InventoryItem, Provider, ProviderError};

pub use clients::CallCounter;
use clients::Clients;
pub use refs::references;
use values::Values;
pub use wait::WaitPolicy;

/// Every Terraform type this provider creates, updates, deletes and reads back.
pub const SUPPORTED: &[&str] = &[
    "aws_acm_certificate",
    "aws_api_gateway_authorizer",
    "aws_api_gateway_deployment",
    "aws_api_gateway_method_settings",
    "aws_api_gateway_rest_api",
    "aws_api_gateway_stage",
    "aws_api_gateway_usage_plan",
    "aws_appautoscaling_policy",
    "aws_appautoscaling_target",
    "aws_athena_workgroup",
    "aws_cloudwatch_dashboard",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_db_instance",
    "aws_db_subnet_group",
    "aws_dynamodb_table",
    "aws_ecr_repository",
    "aws_ecs_cluster",
    "aws_ecs_service",
    "aws_ecs_task_definition",
    "aws_eip",
    "aws_elasticache_replication_group",
    "aws_elasticache_subnet_group",
    "aws_flow_log",
    "aws_glue_catalog_database",
    "aws_glue_crawler",
    "aws_glue_job",
    "aws_iam_instance_profile",
    "aws_iam_role",
    "aws_instance",
    "aws_internet_gateway",
    "aws_kms_key",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_lb",
    "aws_lb_listener",
    "aws_lb_target_group",
    "aws_nat_gateway",
    "aws_route_table",
    "aws_route_table_association",
    "aws_s3_bucket",
    "aws_s3_bucket_public_access_block",
    "aws_sagemaker_model_package_group",
    "aws_sagemaker_notebook_instance",
    "aws_security_group",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_subnet",
    "aws_vpc",
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
];

/// Types whose AWS API has no tags; their inventory record is paved's only record of them.
pub const UNTAGGABLE: &[&str] = &[
    "aws_api_gateway_authorizer",
    "aws_api_gateway_deployment",
    "aws_api_gateway_method_settings",
    "aws_appautoscaling_policy",
    "aws_cloudwatch_dashboard",
    "aws_cloudwatch_event_target",
    "aws_lambda_permission",
    "aws_route_table_association",
    "aws_s3_bucket_public_access_block",
    "aws_wafv2_web_acl_association",
];

/// Types whose apply writes every setting of the plan again (their APIs replace the whole
/// configuration), so an update of an existing resource is applied in place. Other types are
/// changed by replacement.
pub const UPDATABLE_IN_PLACE: &[&str] = &[
    "aws_api_gateway_method_settings",
    "aws_appautoscaling_policy",
    "aws_appautoscaling_target",
    "aws_cloudwatch_dashboard",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_metric_alarm",
    "aws_s3_bucket",
    "aws_s3_bucket_public_access_block",
];

/// How the provider reaches AWS.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    /// The region when the plan names none; `None` takes the standard chain's.
    pub region: Option<String>,
    /// Sends every call here instead of the public endpoints (an emulator, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// Extra attempts the SDK makes on throttling and transient errors; 0 turns its retries off
    /// (against an emulator, so that paved's own handling is what is tested).
    pub retries: u32,
    /// The SDK's first pause before a retry; it grows exponentially with jitter from there.
    pub retry_initial_backoff: Duration,
    /// Fixed credentials instead of the standard chain, for emulators.
    pub static_credentials: Option<StaticCredentials>,
    /// How waiters for slow resources (databases, caches) poll.
    pub wait: WaitPolicy,
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            region: None,
            endpoint_url: None,
            retries: 3,
            retry_initial_backoff: Duration::from_secs(1),
            static_credentials: None,
            wait: WaitPolicy::default(),
        }
    }
}

impl AwsConfig {
    /// A configuration for an emulator at `endpoint_url`: fixed test credentials, SDK retries off,
    /// quick polling.
    pub fn emulator(endpoint_url: &str, region: &str) -> AwsConfig {
        AwsConfig {
            region: Some(region.to_string()),
            endpoint_url: Some(endpoint_url.trim_end_matches('/').to_string()),
            retries: 0,
            retry_initial_backoff: Duration::from_millis(10),
            static_credentials: Some(StaticCredentials {
                access_key_id: "testing".into(),
                secret_access_key: "testing".into(),
            }),
            wait: WaitPolicy {
                interval: Duration::from_millis(20),
                timeout: Duration::from_secs(60),
            },
        }
    }
}

/// An access key pair.
#[derive(Clone)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log.
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// The AWS cloud. `L` is the deployment ledger the executor records into; the provider reads the
/// inventory from it to resolve references between resources.
pub struct AwsProvider<L: Ledger> {
    base: aws_config::SdkConfig,
    config: AwsConfig,
    ledger: Arc<L>,
    clients: Mutex<BTreeMap<String, Arc<Clients>>>,
    counter: CallCounter,
    progress: Option<UnboundedSender<ProgressV1>>,
}

impl<L: Ledger> AwsProvider<L> {
    /// Loads credentials and the region through the standard chain (or the fixed ones of the
    /// configuration) and prepares the clients.
    pub async fn connect(config: AwsConfig, ledger: Arc<L>) -> AwsProvider<L> {
        let base = clients::load(&config).await;
        AwsProvider {
            base,
            config,
            ledger,
            clients: Mutex::new(BTreeMap::new()),
            counter: CallCounter::default(),
            progress: None,
        }
    }

    /// Reports waiting for slow resources (a database becoming available) on `tx`.
    pub fn with_progress(mut self, tx: UnboundedSender<ProgressV1>) -> Self {
        self.progress = Some(tx);
        self
    }

    /// Counts every HTTP request the provider sends to AWS (each retry counts).
    pub fn calls(&self) -> &CallCounter {
        &self.counter
    }

    fn clients(&self, ctx: &DeployContext) -> Result<Arc<Clients>, ProviderError> {
        let region = if ctx.region.is_empty() {
            self.config.region.clone().or_else(|| self.base.region().map(|r| r.to_string())).ok_or_else(|| {
                ProviderError::permanent("No AWS region is set; name one in the plan, in AWS_REGION or in the provider configuration.")
            })?
        } else {
            ctx.region.clone()
        };
        let mut map = self
            .clients
            .lock()
            .map_err(|_| ProviderError::permanent("the AWS client cache is unavailable"))?;
        let c = map.entry(region.clone()).or_insert_with(|| {
            Arc::new(Clients::new(
                &self.base,
                &region,
                &self.config,
                self.counter.clone(),
            ))
        });
        Ok(Arc::clone(c))
    }

    fn waiter<'a>(&'a self, ctx: &'a DeployContext, address: &'a str) -> wait::Waiter<'a> {
        wait::Waiter {
            policy: &self.config.wait,
            progress: self.progress.as_ref(),
            ctx,
            address,
        }
    }

    /// Resolves every reference in the resource's values from the inventory.
    async fn resolve(
        &self,
        ctx: &DeployContext,
        resource: &Resource,
    ) -> Result<Map<String, Value>, ProviderError> {
        let mut known = BTreeMap::new();
        for address in refs::addresses(&Value::Object(resource.values.clone())) {
            let item = self
                .ledger
                .recorded(&ctx.request_id, &address)
                .await
                .map_err(|e| ProviderError::transient(e.to_string()))?
                .ok_or_else(|| {
                    ProviderError::permanent(format!(
                        "{} refers to {address}, which this deployment has not created; the plan must list it as a dependency.",
                        resource.address
                    ))
                })?;
            known.insert(address, item.attributes);
        }
        refs::resolve_map(&resource.values, &known).map_err(|r| {
            ProviderError::permanent(format!(
                "{} refers to the attribute `{}` of {}, which the provider does not know; the golden path must use id, arn, name or another reported attribute.",
                resource.address, r.attribute, r.address
            ))
        })
    }
}

/// The tags paved puts on everything it creates, the plan's own tags first.
fn tags_for(
    ctx: &DeployContext,
    address: &str,
    values: &Map<String, Value>,
) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = values
        .get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k.clone(), s.clone())),
                    Value::Null => None,
                    other => Some((k.clone(), other.to_string())),
                })
                .collect()
        })
        .unwrap_or_default();
    tags.insert("paved:request-id".into(), ctx.request_id.clone());
    tags.insert("paved:plan-hash".into(), ctx.plan_hash.clone());
    tags.insert("paved:address".into(), address.to_string());
    tags.insert("environment".into(), ctx.environment.clone());
    tags.insert("owner".into(), ctx.owner.clone());
    tags
}

/// What one resource's apply hands to its type's code.
pub(crate) struct Job<'a> {
    pub ctx: &'a DeployContext,
    pub address: &'a str,
    pub v: Values<'a>,
    pub tags: &'a BTreeMap<String, String>,
    pub c: &'a Clients,
    pub wait: wait::Waiter<'a>,
}

impl Job<'_> {
    /// True when the tags read from AWS say this resource was made for this request and address.
    pub fn is_ours<'t>(&self, tags: impl IntoIterator<Item = (&'t str, &'t str)>) -> bool {
        let mut request = false;
        let mut address = false;
        for (k, v) in tags {
            request |= k == "paved:request-id" && v == self.ctx.request_id;
            address |= k == "paved:address" && v == self.address;
        }
        request && address
    }

    /// The refusal when a name is taken by something this request did not create.
    pub fn taken(&self, what: &str, name: &str) -> ProviderError {
        ProviderError::permanent(format!(
            "A {what} named {name} already exists and was not created by this request; delete or rename it, or change the service name, and try again."
        ))
    }

    /// A client token for idempotent creates: stable for a request and address, at most 64 characters.
    pub fn client_token(&self) -> String {
        clients::token(&self.ctx.request_id, self.address)
    }
}

/// What a delete or describe hands to its type's code.
pub(crate) struct Gone<'a> {
    pub ctx: &'a DeployContext,
    pub item: &'a InventoryItem,
    pub c: &'a Clients,
    pub wait: wait::Waiter<'a>,
}

impl Gone<'_> {
    pub fn id(&self) -> &str {
        &self.item.physical_id
    }
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.item.attributes.get(key).and_then(Value::as_str)
    }
    pub fn values(&self) -> Values<'_> {
        Values::new(&self.item.address, &self.item.attributes)
    }
    pub fn production(&self) -> bool {
        self.ctx.environment == "production"
    }
}

/// A created (or found) resource: its physical id and the attributes others may refer to.
pub(crate) struct Made {
    pub id: String,
    pub attrs: Map<String, Value>,
}

impl Made {
    pub fn new(id: impl Into<String>) -> Made {
        let id = id.into();
        let mut attrs = Map::new();
        attrs.insert("id".into(), Value::String(id.clone()));
        Made { id, attrs }
    }
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Made {
        self.attrs.insert(key.to_string(), value.into());
        self
    }
}

impl<L: Ledger> Provider for AwsProvider<L> {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn supports(&self, kind: &str) -> bool {
        SUPPORTED.contains(&kind)
    }

    async fn apply(
        &self,
        ctx: &DeployContext,
        resource: &Resource,
        existing: Option<&InventoryItem>,
    ) -> Result<Applied, ProviderError> {
        if !self.supports(&resource.kind) {
            return Err(ProviderError::permanent(format!(
                "The AWS provider cannot create {}; nothing was changed.",
                resource.kind
            )));
        }
        let resolved = self.resolve(ctx, resource).await?;
        let tags = tags_for(ctx, &resource.address, &resolved);
        let clients = self.clients(ctx)?;
        if resource.action == ResourceAction::Replace
            && let Some(old) = existing
        {
            let gone = Gone {
                ctx,
                item: old,
                c: &clients,
                wait: self.waiter(ctx, &resource.address),
            };
            delete_kind(&gone).await?;
        }
        if resource.action == ResourceAction::Update
            && existing.is_some()
            && !UPDATABLE_IN_PLACE.contains(&resource.kind.as_str())
        {
            return Err(ProviderError::permanent(format!(
                "The AWS provider cannot change {} in place; plan a replacement of {} instead.",
                resource.kind, resource.address
            )));
        }
        let job = Job {
            ctx,
            address: &resource.address,
            v: Values::new(&resource.address, &resolved),
            tags: &tags,
            c: &clients,
            wait: self.waiter(ctx, &resource.address),
        };
        let made = apply_kind(&resource.kind, &job).await?;
        // The inventory keeps the resolved values (what AWS was told), the attributes others
        // refer to, the tags, and the plan's own values so that verification speaks the plan's terms.
        let mut attributes = resolved;
        for (k, v) in made.attrs {
            attributes.insert(k, v);
        }
        let tag_map: Map<String, Value> = tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        attributes.insert("tags".into(), Value::Object(tag_map));
        attributes.insert(
            "paved:planned".into(),
            Value::Object(resource.values.clone()),
        );
        Ok(Applied {
            physical_id: made.id,
            attributes,
        })
    }

    async fn delete(&self, ctx: &DeployContext, item: &InventoryItem) -> Result<(), ProviderError> {
        let clients = self.clients(ctx)?;
        let gone = Gone {
            ctx,
            item,
            c: &clients,
            wait: self.waiter(ctx, &item.address),
        };
        delete_kind(&gone).await
    }

    async fn describe(
        &self,
        ctx: &DeployContext,
        item: &InventoryItem,
    ) -> Result<Option<Map<String, Value>>, ProviderError> {
        let clients = self.clients(ctx)?;
        let gone = Gone {
            ctx,
            item,
            c: &clients,
            wait: self.waiter(ctx, &item.address),
        };
        let Some(mut actual) = describe_kind(&gone).await? else {
            return Ok(None);
        };
        in_plan_terms(item, &mut actual);
        Ok(Some(actual))
    }
}

/// Rewrites read-back values into the plan's terms: where AWS reports exactly what paved resolved
/// a reference to (`vpc-0abc`), the plan's own words (`aws_vpc.main.id`) are reported, and tags are
/// limited to the plan's keys, so that only real differences show up as drift.
fn in_plan_terms(item: &InventoryItem, actual: &mut Map<String, Value>) {
    let planned = item
        .attributes
        .get("paved:planned")
        .and_then(Value::as_object);
    for (key, value) in actual.iter_mut() {
        if key == "tags" {
            continue;
        }
        let (Some(planned), Some(resolved)) =
            (planned.and_then(|p| p.get(key)), item.attributes.get(key))
        else {
            continue;
        };
        if value == resolved && planned != resolved {
            *value = planned.clone();
        }
    }
    if let Some(Value::Object(tags)) = actual.get_mut("tags") {
        match planned
            .and_then(|p| p.get("tags"))
            .and_then(Value::as_object)
        {
            Some(planned_tags) => tags.retain(|k, _| planned_tags.contains_key(k)),
            None => {
                actual.remove("tags");
            }
        }
    }
}

async fn apply_kind(kind: &str, job: &Job<'_>) -> Result<Made, ProviderError> {
    match kind {
        "aws_vpc" => network::vpc(job).await,
        "aws_subnet" => network::subnet(job).await,
        "aws_internet_gateway" => network::internet_gateway(job).await,
        "aws_eip" => network::eip(job).await,
        "aws_nat_gateway" => network::nat_gateway(job).await,
        "aws_route_table" => network::route_table(job).await,
        "aws_route_table_association" => network::route_table_association(job).await,
        "aws_security_group" => network::security_group(job).await,
        "aws_flow_log" => network::flow_log(job).await,
        "aws_instance" => network::instance(job).await,
        "aws_lb" => compute::lb(job).await,
        "aws_lb_target_group" => compute::target_group(job).await,
        "aws_lb_listener" => compute::listener(job).await,
        "aws_ecs_cluster" => compute::ecs_cluster(job).await,
        "aws_ecs_task_definition" => compute::task_definition(job).await,
        "aws_ecs_service" => compute::ecs_service(job).await,
        "aws_ecr_repository" => compute::ecr_repository(job).await,
        "aws_appautoscaling_target" => compute::scaling_target(job).await,
        "aws_appautoscaling_policy" => compute::scaling_policy(job).await,
        "aws_lambda_function" => compute::lambda_function(job).await,
        "aws_lambda_permission" => compute::lambda_permission(job).await,
        "aws_db_subnet_group" => data::db_subnet_group(job).await,
        "aws_db_instance" => data::db_instance(job).await,
        "aws_elasticache_subnet_group" => data::cache_subnet_group(job).await,
        "aws_elasticache_replication_group" => data::replication_group(job).await,
        "aws_s3_bucket" => data::bucket(job).await,
        "aws_s3_bucket_public_access_block" => data::public_access_block(job).await,
        "aws_dynamodb_table" => data::dynamodb_table(job).await,
        "aws_glue_catalog_database" => data::glue_database(job).await,
        "aws_glue_crawler" => data::glue_crawler(job).await,
        "aws_glue_job" => data::glue_job(job).await,
        "aws_athena_workgroup" => data::athena_workgroup(job).await,
        "aws_sagemaker_model_package_group" => data::model_package_group(job).await,
        "aws_sagemaker_notebook_instance" => data::notebook_instance(job).await,
        "aws_acm_certificate" => edge::certificate(job).await,
        "aws_api_gateway_rest_api" => edge::rest_api(job).await,
        "aws_api_gateway_authorizer" => edge::authorizer(job).await,
        "aws_api_gateway_deployment" => edge::deployment(job).await,
        "aws_api_gateway_stage" => edge::stage(job).await,
        "aws_api_gateway_method_settings" => edge::method_settings(job).await,
        "aws_api_gateway_usage_plan" => edge::usage_plan(job).await,
        "aws_wafv2_web_acl" => edge::web_acl(job).await,
        "aws_wafv2_web_acl_association" => edge::web_acl_association(job).await,
        "aws_cloudwatch_log_group" => observe::log_group(job).await,
        "aws_cloudwatch_dashboard" => observe::dashboard(job).await,
        "aws_cloudwatch_metric_alarm" => observe::alarm(job).await,
        "aws_cloudwatch_event_rule" => observe::event_rule(job).await,
        "aws_cloudwatch_event_target" => observe::event_target(job).await,
        "aws_sns_topic" => observe::sns_topic(job).await,
        "aws_sqs_queue" => observe::sqs_queue(job).await,
        "aws_kms_key" => observe::kms_key(job).await,
        "aws_iam_role" => observe::iam_role(job).await,
        "aws_iam_instance_profile" => observe::instance_profile(job).await,
        other => Err(ProviderError::permanent(format!(
            "The AWS provider cannot create {other}; nothing was changed."
        ))),
    }
}

async fn delete_kind(g: &Gone<'_>) -> Result<(), ProviderError> {
    match g.item.kind.as_str() {
        "aws_vpc" => network::delete_vpc(g).await,
        "aws_subnet" => network::delete_subnet(g).await,
        "aws_internet_gateway" => network::delete_internet_gateway(g).await,
        "aws_eip" => network::delete_eip(g).await,
        "aws_nat_gateway" => network::delete_nat_gateway(g).await,
        "aws_route_table" => network::delete_route_table(g).await,
        "aws_route_table_association" => network::delete_route_table_association(g).await,
        "aws_security_group" => network::delete_security_group(g).await,
        "aws_flow_log" => network::delete_flow_log(g).await,
        "aws_instance" => network::delete_instance(g).await,
        "aws_lb" => compute::delete_lb(g).await,
        "aws_lb_target_group" => compute::delete_target_group(g).await,
        "aws_lb_listener" => compute::delete_listener(g).await,
        "aws_ecs_cluster" => compute::delete_ecs_cluster(g).await,
        "aws_ecs_task_definition" => compute::delete_task_definition(g).await,
        "aws_ecs_service" => compute::delete_ecs_service(g).await,
        "aws_ecr_repository" => compute::delete_ecr_repository(g).await,
        "aws_appautoscaling_target" => compute::delete_scaling_target(g).await,
        "aws_appautoscaling_policy" => compute::delete_scaling_policy(g).await,
        "aws_lambda_function" => compute::delete_lambda_function(g).await,
        "aws_lambda_permission" => compute::delete_lambda_permission(g).await,
        "aws_db_subnet_group" => data::delete_db_subnet_group(g).await,
        "aws_db_instance" => data::delete_db_instance(g).await,
        "aws_elasticache_subnet_group" => data::delete_cache_subnet_group(g).await,
        "aws_elasticache_replication_group" => data::delete_replication_group(g).await,
        "aws_s3_bucket" => data::delete_bucket(g).await,
        "aws_s3_bucket_public_access_block" => data::delete_public_access_block(g).await,
        "aws_dynamodb_table" => data::delete_dynamodb_table(g).await,
        "aws_glue_catalog_database" => data::delete_glue_database(g).await,
        "aws_glue_crawler" => data::delete_glue_crawler(g).await,
        "aws_glue_job" => data::delete_glue_job(g).await,
        "aws_athena_workgroup" => data::delete_athena_workgroup(g).await,
        "aws_sagemaker_model_package_group" => data::delete_model_package_group(g).await,
        "aws_sagemaker_notebook_instance" => data::delete_notebook_instance(g).await,
        "aws_acm_certificate" => edge::delete_certificate(g).await,
        "aws_api_gateway_rest_api" => edge::delete_rest_api(g).await,
        "aws_api_gateway_authorizer" => edge::delete_authorizer(g).await,
        "aws_api_gateway_deployment" => edge::delete_deployment(g).await,
        "aws_api_gateway_stage" => edge::delete_stage(g).await,
        "aws_api_gateway_method_settings" => edge::delete_method_settings(g).await,
        "aws_api_gateway_usage_plan" => edge::delete_usage_plan(g).await,
        "aws_wafv2_web_acl" => edge::delete_web_acl(g).await,
        "aws_wafv2_web_acl_association" => edge::delete_web_acl_association(g).await,
        "aws_cloudwatch_log_group" => observe::delete_log_group(g).await,
        "aws_cloudwatch_dashboard" => observe::delete_dashboard(g).await,
        "aws_cloudwatch_metric_alarm" => observe::delete_alarm(g).await,
        "aws_cloudwatch_event_rule" => observe::delete_event_rule(g).await,
        "aws_cloudwatch_event_target" => observe::delete_event_target(g).await,
        "aws_sns_topic" => observe::delete_sns_topic(g).await,
        "aws_sqs_queue" => observe::delete_sqs_queue(g).await,
        "aws_kms_key" => observe::delete_kms_key(g).await,
        "aws_iam_role" => observe::delete_iam_role(g).await,
        "aws_iam_instance_profile" => observe::delete_instance_profile(g).await,
        other => Err(ProviderError::permanent(format!(
            "The AWS provider cannot delete {other}; delete {} by hand.",
            g.item.address
        ))),
    }
}

async fn describe_kind(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    match g.item.kind.as_str() {
        "aws_vpc" => network::describe_vpc(g).await,
        "aws_subnet" => network::describe_subnet(g).await,
        "aws_internet_gateway" => network::describe_internet_gateway(g).await,
        "aws_eip" => network::describe_eip(g).await,
        "aws_nat_gateway" => network::describe_nat_gateway(g).await,
        "aws_route_table" => network::describe_route_table(g).await,
        "aws_route_table_association" => network::describe_route_table_association(g).await,
        "aws_security_group" => network::describe_security_group(g).await,
        "aws_flow_log" => network::describe_flow_log(g).await,
        "aws_instance" => network::describe_instance(g).await,
        "aws_lb" => compute::describe_lb(g).await,
        "aws_lb_target_group" => compute::describe_target_group(g).await,
        "aws_lb_listener" => compute::describe_listener(g).await,
        "aws_ecs_cluster" => compute::describe_ecs_cluster(g).await,
        "aws_ecs_task_definition" => compute::describe_task_definition(g).await,
        "aws_ecs_service" => compute::describe_ecs_service(g).await,
        "aws_ecr_repository" => compute::describe_ecr_repository(g).await,
        "aws_appautoscaling_target" => compute::describe_scaling_target(g).await,
        "aws_appautoscaling_policy" => compute::describe_scaling_policy(g).await,
        "aws_lambda_function" => compute::describe_lambda_function(g).await,
        "aws_lambda_permission" => compute::describe_lambda_permission(g).await,
        "aws_db_subnet_group" => data::describe_db_subnet_group(g).await,
        "aws_db_instance" => data::describe_db_instance(g).await,
        "aws_elasticache_subnet_group" => data::describe_cache_subnet_group(g).await,
        "aws_elasticache_replication_group" => data::describe_replication_group(g).await,
        "aws_s3_bucket" => data::describe_bucket(g).await,
        "aws_s3_bucket_public_access_block" => data::describe_public_access_block(g).await,
        "aws_dynamodb_table" => data::describe_dynamodb_table(g).await,
        "aws_glue_catalog_database" => data::describe_glue_database(g).await,
        "aws_glue_crawler" => data::describe_glue_crawler(g).await,
        "aws_glue_job" => data::describe_glue_job(g).await,
        "aws_athena_workgroup" => data::describe_athena_workgroup(g).await,
        "aws_sagemaker_model_package_group" => data::describe_model_package_group(g).await,
        "aws_sagemaker_notebook_instance" => data::describe_notebook_instance(g).await,
        "aws_acm_certificate" => edge::describe_certificate(g).await,
        "aws_api_gateway_rest_api" => edge::describe_rest_api(g).await,
        "aws_api_gateway_authorizer" => edge::describe_authorizer(g).await,
        "aws_api_gateway_deployment" => edge::describe_deployment(g).await,
        "aws_api_gateway_stage" => edge::describe_stage(g).await,
        "aws_api_gateway_method_settings" => edge::describe_method_settings(g).await,
        "aws_api_gateway_usage_plan" => edge::describe_usage_plan(g).await,
        "aws_wafv2_web_acl" => edge::describe_web_acl(g).await,
        "aws_wafv2_web_acl_association" => edge::describe_web_acl_association(g).await,
        "aws_cloudwatch_log_group" => observe::describe_log_group(g).await,
        "aws_cloudwatch_dashboard" => observe::describe_dashboard(g).await,
        "aws_cloudwatch_metric_alarm" => observe::describe_alarm(g).await,
        "aws_cloudwatch_event_rule" => observe::describe_event_rule(g).await,
        "aws_cloudwatch_event_target" => observe::describe_event_target(g).await,
        "aws_sns_topic" => observe::describe_sns_topic(g).await,
        "aws_sqs_queue" => observe::describe_sqs_queue(g).await,
        "aws_kms_key" => observe::describe_kms_key(g).await,
        "aws_iam_role" => observe::describe_iam_role(g).await,
        "aws_iam_instance_profile" => observe::describe_instance_profile(g).await,
        other => Err(ProviderError::permanent(format!(
            "The AWS provider cannot read {other} back."
        ))),
    }
}

/// Builds a JSON object from pairs, skipping absent values.
pub(crate) fn obj<const N: usize>(pairs: [(&str, Option<Value>); N]) -> Map<String, Value> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect()
}

/// A number as the plan writes it: whole numbers as integers, so `10` equals AWS's `10.0`.
pub(crate) fn num(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}
