//! One SDK client per service and region, all sharing the loaded configuration and a counter of
//! the HTTP requests they send.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

use super::AwsConfig;
use super::error::AwsResult;
use crate::provider::ProviderError;

/// Counts the HTTP requests sent to AWS, in total and per `service:Operation`.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    total: Arc<AtomicU64>,
    by_operation: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CallCounter {
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Requests per `service:Operation`.
    pub fn by_operation(&self) -> BTreeMap<String, u64> {
        self.by_operation
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    pub fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        if let Ok(mut m) = self.by_operation.lock() {
            m.clear();
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "paved-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.total.fetch_add(1, Ordering::Relaxed);
        if let Some(meta) = cfg.load::<Metadata>()
            && let Ok(mut m) = self.by_operation.lock()
        {
            *m.entry(format!("{}:{}", meta.service(), meta.name()))
                .or_default() += 1;
        }
        Ok(())
    }
}

/// Loads the shared configuration: the standard chain unless the configuration fixes things.
pub(crate) async fn load(config: &AwsConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &config.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let retry = if config.retries == 0 {
        RetryConfig::disabled()
    } else {
        RetryConfig::standard()
            .with_max_attempts(config.retries.saturating_add(1))
            .with_initial_backoff(config.retry_initial_backoff)
    };
    loader = loader.retry_config(retry).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(120))
            .build(),
    );
    if let Some(c) = &config.static_credentials {
        loader = loader.credentials_provider(aws_sdk_sts::config::Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.clone(),
            None,
            None,
            "paved-static",
        ));
    }
    loader.load().await
}

macro_rules! clients {
    ($($field:ident: $krate:ident),* $(,)?) => {
        pub(crate) struct Clients {
            pub region: String,
            account: OnceCell<String>,
            pub s3: aws_sdk_s3::Client,
            $(pub $field: $krate::Client,)*
        }

        impl Clients {
            pub fn new(base: &SdkConfig, region: &str, config: &AwsConfig, counter: CallCounter) -> Clients {
                Clients {
                    region: region.to_string(),
                    account: OnceCell::new(),
                    // Path-style addressing when an endpoint override is set: emulators and VPC
                    // endpoints do not serve bucket subdomains.
                    s3: aws_sdk_s3::Client::from_conf(
                        aws_sdk_s3::config::Builder::from(base)
                            .region(Region::new(region.to_string()))
                            .force_path_style(config.endpoint_url.is_some())
                            .interceptor(counter.clone())
                            .build(),
                    ),
                    $($field: $krate::Client::from_conf(
                        $krate::config::Builder::from(base)
                            .region(Region::new(region.to_string()))
                            .interceptor(counter.clone())
                            .build(),
                    ),)*
                }
            }
        }
    };
}

clients! {
    acm: aws_sdk_acm,
    apigateway: aws_sdk_apigateway,
    autoscaling: aws_sdk_applicationautoscaling,
    athena: aws_sdk_athena,
    cloudwatch: aws_sdk_cloudwatch,
    logs: aws_sdk_cloudwatchlogs,
    dynamodb: aws_sdk_dynamodb,
    ec2: aws_sdk_ec2,
    ecr: aws_sdk_ecr,
    ecs: aws_sdk_ecs,
    elasticache: aws_sdk_elasticache,
    elb: aws_sdk_elasticloadbalancingv2,
    events: aws_sdk_eventbridge,
    glue: aws_sdk_glue,
    iam: aws_sdk_iam,
    kms: aws_sdk_kms,
    lambda: aws_sdk_lambda,
    rds: aws_sdk_rds,
    tagging: aws_sdk_resourcegroupstagging,
    sagemaker: aws_sdk_sagemaker,
    sns: aws_sdk_sns,
    sqs: aws_sdk_sqs,
    sts: aws_sdk_sts,
    wafv2: aws_sdk_wafv2,
}

impl Clients {
    /// The account id (for ARNs that AWS does not return), asked once per region.
    pub async fn account(&self) -> Result<String, ProviderError> {
        self.account
            .get_or_try_init(|| async {
                let out = self
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .aws("find the AWS account id")?;
                out.account.ok_or_else(|| {
                    ProviderError::permanent(
                        "AWS did not say which account the credentials belong to.",
                    )
                })
            })
            .await
            .cloned()
    }
}

/// A stable idempotency token for one resource of one request: AWS returns the first result for
/// a repeated token instead of creating again.
pub(crate) fn token(request_id: &str, address: &str) -> String {
    let hex = paved_core::canonical::sha256_hex(format!("{request_id}\n{address}").as_bytes());
    hex[..32].to_string()
}
