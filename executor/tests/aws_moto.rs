//! The AWS provider against the moto emulator, through a small loopback proxy that can inject
//! throttling and 503s and that answers the one call moto does not implement
//! (`DeleteCacheSubnetGroup`) with AWS's recorded response.
//!
//! Start moto with `scripts/moto.sh start` and export its URL as `PAVED_TEST_MOTO_URL`. Without
//! it these tests fail when `CI` is set, and otherwise say loudly that they did not run.

#![cfg(feature = "aws")]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use paved_core::{Environment, Plan, Resource, ResourceAction, canonical};
use paved_executor::aws::{AwsConfig, AwsProvider};
use paved_executor::{
    Applied, DeployContext, Executor, InventoryItem, Ledger, MemoryLedger, Outcome, Provider,
    ProviderError,
};
use paved_planner::{Catalog, Planner, PlanningContext, RuleUnderstander, Understander};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

/// moto is one shared emulator: tests take turns and reset it first.
static MOTO: Mutex<()> = Mutex::const_new(());

fn moto_url() -> Option<String> {
    match std::env::var("PAVED_TEST_MOTO_URL") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_string()),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "PAVED_TEST_MOTO_URL is not set in CI: run `scripts/moto.sh start` and export its URL before the AWS tests"
                );
            }
            eprintln!(
                "\n*** AWS PROVIDER TESTS DID NOT RUN: PAVED_TEST_MOTO_URL is not set (scripts/moto.sh start prints it) ***\n"
            );
            None
        }
    }
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// One plain HTTP/1.1 exchange; returns the status code and body.
async fn http(addr: &str, request: String) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

async fn reset(url: &str) {
    let addr = host_port(url);
    let (status, _) = http(&addr, format!("POST /moto-api/reset HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")).await;
    assert_eq!(status, 200, "moto did not reset");
}

// ---- the proxy ----

/// AWS's documented answer to a successful DeleteCacheSubnetGroup (moto lacks the call).
const DELETE_CACHE_SUBNET_GROUP_RESPONSE: &str = r#"<DeleteCacheSubnetGroupResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">
  <ResponseMetadata>
    <RequestId>5d013245-4172-11df-8520-e7e1e602a915</RequestId>
  </ResponseMetadata>
</DeleteCacheSubnetGroupResponse>"#;

/// AWS's answer once a replication group is gone (moto never finishes deleting one).
const REPLICATION_GROUP_NOT_FOUND: &str = r#"<ErrorResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">
  <Error>
    <Type>Sender</Type>
    <Code>ReplicationGroupNotFoundFault</Code>
    <Message>Replication group {id} not found.</Message>
  </Error>
  <RequestId>0d8c6e2b-6b1a-4f3e-9a51-3c2b7f6f2d11</RequestId>
</ErrorResponse>"#;

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Types whose deletion moto does not implement (`DeleteCacheSubnetGroup`,
/// `DeleteModelPackageGroup`): the proxy answers those calls with AWS's recorded responses.
const RECORDED_DELETES: &[&str] = &[
    "aws_elasticache_subnet_group",
    "aws_sagemaker_model_package_group",
];

#[derive(Default)]
struct ProxyState {
    /// Faults per thousand calls.
    fault_per_mille: u64,
    calls: AtomicU64,
    injected: AtomicU64,
    /// Cache subnet groups deleted through the recorded answer.
    recorded_deletes: std::sync::Mutex<Vec<String>>,
    /// Replication groups whose deletion was asked for: moto keeps them "deleting" for ever, so
    /// the proxy answers later reads of them as AWS does once the deletion has finished.
    deleted_groups: std::sync::Mutex<BTreeSet<String>>,
    /// Operations seen, for the figures.
    operations: std::sync::Mutex<BTreeMap<String, u64>>,
}

struct Proxy {
    url: String,
    state: Arc<ProxyState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn proxy(upstream: &str, fault_per_mille: u64) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(ProxyState {
        fault_per_mille,
        ..Default::default()
    });
    let upstream = host_port(upstream);
    let st = state.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let (st, upstream) = (st.clone(), upstream.clone());
            tokio::spawn(async move {
                let _ = serve(client, &upstream, &st).await;
            });
        }
    });
    Proxy { url, state, task }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn form_value<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    body.split('&')
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
}

async fn serve(mut client: TcpStream, upstream: &str, st: &ProxyState) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    let target =
        header(&head, "x-amz-target").map(|t| t.rsplit('.').next().unwrap_or(t).to_string());
    let operation = target
        .clone()
        .or_else(|| form_value(&body, "Action").map(str::to_string))
        .unwrap_or_else(|| {
            let line = head.lines().next().unwrap_or_default();
            line.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string()
        });
    *st.operations
        .lock()
        .unwrap()
        .entry(operation.clone())
        .or_default() += 1;
    let n = st.calls.fetch_add(1, Ordering::SeqCst);

    if operation == "DescribeReplicationGroups" {
        let id = form_value(&body, "ReplicationGroupId")
            .unwrap_or_default()
            .to_string();
        if st.deleted_groups.lock().unwrap().contains(&id) {
            let xml = REPLICATION_GROUP_NOT_FOUND.replace("{id}", &id);
            return respond(&mut client, 404, "text/xml", &[], &xml).await;
        }
    }
    if operation == "DeleteReplicationGroup" {
        let id = form_value(&body, "ReplicationGroupId")
            .unwrap_or_default()
            .to_string();
        st.deleted_groups.lock().unwrap().insert(id);
    }
    if operation == "DeleteModelPackageGroup" {
        let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let name = parsed["ModelPackageGroupName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        st.recorded_deletes.lock().unwrap().push(name);
        // AWS answers a successful DeleteModelPackageGroup with an empty JSON object.
        return respond(&mut client, 200, "application/x-amz-json-1.1", &[], "{}").await;
    }
    if operation == "DeleteCacheSubnetGroup" {
        let name = form_value(&body, "CacheSubnetGroupName")
            .unwrap_or_default()
            .to_string();
        st.recorded_deletes.lock().unwrap().push(name);
        return respond(
            &mut client,
            200,
            "text/xml",
            &[],
            DELETE_CACHE_SUBNET_GROUP_RESPONSE,
        )
        .await;
    }
    // A deterministic spread of faults: a multiplicative hash of the call number.
    if st.fault_per_mille > 0 && (n.wrapping_mul(2_654_435_761) >> 7) % 1000 < st.fault_per_mille {
        st.injected.fetch_add(1, Ordering::SeqCst);
        return if n.is_multiple_of(2) {
            respond(&mut client, 503, "text/plain", &[], "Service Unavailable").await
        } else if target.is_some() {
            respond(
                &mut client,
                400,
                "application/x-amz-json-1.1",
                &[],
                r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            )
            .await
        } else if form_value(&body, "Version") == Some("2016-11-15") {
            let xml = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>paved-proxy</RequestID></Response>";
            respond(&mut client, 503, "text/xml", &[], xml).await
        } else if form_value(&body, "Action").is_some() {
            let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>paved-proxy</RequestId></ErrorResponse>";
            respond(&mut client, 400, "text/xml", &[], xml).await
        } else {
            respond(
                &mut client,
                429,
                "application/json",
                &[("x-amzn-ErrorType", "ThrottlingException")],
                r#"{"message":"Rate exceeded"}"#,
            )
            .await
        };
    }
    // Forward, one request per connection.
    let mut up = TcpStream::connect(upstream).await?;
    let mut forwarded: String = head
        .lines()
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    up.write_all(forwarded.as_bytes()).await?;
    up.write_all(&buf[head_end..]).await?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).await?;
    // moto names the root element of its GetBucketVersioning answer differently from AWS, which
    // the SDK cannot read; AWS's recorded answer has `VersioningConfiguration` as its root.
    if find(&answer, b"<GetBucketVersioningResponse").is_some() {
        let head_end = find(&answer, b"\r\n\r\n")
            .map(|p| p + 4)
            .unwrap_or(answer.len());
        let body = String::from_utf8_lossy(&answer[head_end..])
            .replace("GetBucketVersioningResponse", "VersioningConfiguration");
        let head: String = String::from_utf8_lossy(&answer[..head_end])
            .lines()
            .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("content-length:"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        let mut rebuilt = format!("{head}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        rebuilt.extend_from_slice(body.as_bytes());
        answer = rebuilt;
    }
    // The client must not reuse this connection either.
    if let Some(p) = answer.windows(2).position(|w| w == b"\r\n") {
        let (status_line, rest) = answer.split_at(p + 2);
        let rest_text = String::from_utf8_lossy(rest);
        let already = rest_text
            .lines()
            .take_while(|l| !l.is_empty())
            .any(|l| l.to_ascii_lowercase().starts_with("connection:"));
        if !already {
            let mut patched = status_line.to_vec();
            patched.extend_from_slice(b"Connection: close\r\n");
            patched.extend_from_slice(rest);
            answer = patched;
        }
    }
    client.write_all(&answer).await?;
    client.shutdown().await
}

async fn respond(
    client: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    client.write_all(head.as_bytes()).await?;
    client.write_all(body.as_bytes()).await?;
    client.shutdown().await
}

// ---- plans ----

fn plan_for(request: &str) -> Plan {
    let catalog = Catalog::shipped();
    let understander = RuleUnderstander::with_paths(catalog.path_hints());
    let intent = understander.understand(request);
    assert!(
        !intent.needs_clarification(),
        "{request}: {:?}",
        intent.clarifications
    );
    Planner::new(&catalog)
        .plan(&intent, &PlanningContext::default())
        .unwrap()
        .unwrap_or_else(|| panic!("{request}: no plan"))
}

fn env_word(env: Environment) -> &'static str {
    match env {
        Environment::Production => "production",
        Environment::Staging => "staging",
        Environment::Development => "development",
    }
}

/// Requests that land on each shipped golden path, with the components that bring in most of
/// its optional resources.
const PATHS: &[(&str, &str)] = &[
    (
        "standard_web_app",
        "a {env} hipaa web app with postgres and redis for team payments",
    ),
    (
        "api_microservice",
        "a {env} pci partner rest api with rate limiting, dynamodb, sqs and redis for team orders",
    ),
    (
        "batch_processing",
        "a {env} nightly batch job writing reports to s3 for team finance",
    ),
    (
        "data_pipeline",
        "a data pipeline with athena and glue for team analytics in {env}",
    ),
    (
        "machine_learning",
        "a {env} machine learning training setup with a notebook for team science",
    ),
];

fn ctx(plan: &Plan, request_id: &str) -> DeployContext {
    DeployContext {
        request_id: request_id.to_string(),
        plan_hash: canonical::plan_hash(plan),
        environment: env_word(plan.environment).to_string(),
        owner: "U0PAVED".to_string(),
        region: plan.region.clone(),
    }
}

async fn provider(
    url: &str,
    region: &str,
    ledger: &Arc<MemoryLedger>,
) -> Arc<AwsProvider<MemoryLedger>> {
    Arc::new(AwsProvider::connect(AwsConfig::emulator(url, region), ledger.clone()).await)
}

fn tagging(url: &str, region: &str) -> aws_sdk_resourcegroupstagging::Client {
    let conf = aws_sdk_resourcegroupstagging::config::Builder::new()
        .behavior_version(aws_sdk_resourcegroupstagging::config::BehaviorVersion::latest())
        .region(aws_sdk_resourcegroupstagging::config::Region::new(
            region.to_string(),
        ))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_resourcegroupstagging::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    aws_sdk_resourcegroupstagging::Client::from_conf(conf)
}

/// ARN → tags of everything tagged with this request, through the Resource Groups Tagging API.
async fn tagged(
    url: &str,
    region: &str,
    request_id: &str,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let client = tagging(url, region);
    let mut out = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_resources()
            .tag_filters(
                aws_sdk_resourcegroupstagging::types::TagFilter::builder()
                    .key("paved:request-id")
                    .values(request_id)
                    .build(),
            )
            .set_pagination_token(token.clone())
            .send()
            .await
            .unwrap();
        for m in page.resource_tag_mapping_list() {
            let tags = m
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect();
            out.insert(m.resource_arn().unwrap_or_default().to_string(), tags);
        }
        token = page
            .pagination_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out
}

/// Deploys, verifies and rolls back one plan; returns (wall time, API calls of the deployment).
async fn round_trip(moto: &str, request: &str, request_id: &str) -> (Duration, u64, usize) {
    reset(moto).await;
    let proxy = proxy(moto, 0).await;
    let plan = plan_for(request);
    let ledger = Arc::new(MemoryLedger::default());
    let aws = provider(&proxy.url, &plan.region, &ledger).await;
    let executor =
        Executor::new(aws.clone(), ledger.clone()).with_retries(3, Duration::from_millis(10));
    let c = ctx(&plan, request_id);

    let started = Instant::now();
    let report = executor.deploy(&c, &plan).await.unwrap();
    let wall = started.elapsed();
    let calls = aws.calls().total();
    assert_eq!(report.outcome, Outcome::Completed, "{request}");
    let inventory = ledger.inventory(request_id).await.unwrap();
    assert_eq!(
        inventory.len(),
        plan.resources.len(),
        "{request}: every resource recorded"
    );

    // What exists matches the approved plan, read back through describe calls.
    let drift = executor.verify(&c, &plan).await.unwrap();
    assert_eq!(
        drift_keys(&drift),
        known_moto_drift(&plan),
        "{request}: drift after deployment: {drift:#?}"
    );

    // Everything the tagging API sees for this request carries every paved tag.
    let found = tagged(moto, &plan.region, request_id).await;
    assert!(
        found.len() >= plan.resources.len() / 3,
        "{request}: only {} tagged resources found",
        found.len()
    );
    for (arn, tags) in &found {
        assert_eq!(tags.get("paved:plan-hash"), Some(&c.plan_hash), "{arn}");
        assert_eq!(tags.get("environment"), Some(&c.environment), "{arn}");
        assert_eq!(
            tags.get("owner").map(String::as_str),
            Some("U0PAVED"),
            "{arn}"
        );
        let address = tags
            .get("paved:address")
            .unwrap_or_else(|| panic!("{arn} has no paved:address"));
        assert!(
            plan.resource(address).is_some(),
            "{arn} is tagged with {address}, which is not in the plan"
        );
    }
    // A changed attribute shows up as drift.
    if let Some(db) = plan.of_type("aws_db_instance").next() {
        let mut changed = plan.clone();
        let r = changed.resource_mut(&db.address).unwrap();
        r.values.insert(
            "instance_class".into(),
            Value::String("db.m5.24xlarge".into()),
        );
        let drift = executor.verify(&c, &changed).await.unwrap();
        let mut expected = known_moto_drift(&plan);
        expected.push((db.address.clone(), Some("instance_class".to_string())));
        let mut got = drift_keys(&drift);
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{drift:#?}");
        let wrong = drift.iter().find(|d| d.address == db.address).unwrap();
        assert_eq!(wrong.expected, "\"db.m5.24xlarge\"");
        assert_eq!(wrong.actual, db.values["instance_class"].to_string());
    }

    // Rollback deletes everything, dependants first, and nothing is left.
    let (outcome, deleted) = executor.rollback(&c).await.unwrap();
    assert_eq!(outcome, Outcome::Completed, "{request}: rollback");
    assert_eq!(deleted.len(), inventory.len());
    assert!(ledger.inventory(request_id).await.unwrap().is_empty());
    let recorded_deletes = proxy.state.recorded_deletes.lock().unwrap().clone();
    for item in &inventory {
        if RECORDED_DELETES.contains(&item.kind.as_str()) {
            // moto cannot delete these; the provider's call was answered with AWS's recorded
            // response instead, so what is checked is that the call was made for this group.
            assert!(
                recorded_deletes.contains(&item.physical_id),
                "{} was not deleted",
                item.address
            );
            continue;
        }
        let left = aws.describe(&c, item).await.unwrap();
        assert_eq!(
            left, None,
            "{request}: {} ({}) is still there after rollback",
            item.address, item.physical_id
        );
    }
    let left = tagged(moto, &plan.region, request_id).await;
    let left: Vec<&String> = left
        .keys()
        .filter(|arn| {
            // KMS keys wait 7 to 30 days before AWS deletes them (describe reports them gone);
            // the ElastiCache parts moto cannot delete were answered with AWS's recorded responses.
            let name = arn.rsplit(':').next().unwrap_or_default().to_string();
            let name = name.rsplit('/').next().unwrap_or_default().to_string();
            let recorded_cache_delete = ((arn.contains(":subnetgroup:")
                || arn.contains(":model-package-group/"))
                && recorded_deletes.contains(&name))
                || (arn.contains(":replicationgroup:")
                    && proxy.state.deleted_groups.lock().unwrap().contains(&name));
            // AWS keeps these visible for a while in a terminal state (deleted NAT gateways,
            // terminated instances, INACTIVE clusters, services and task definitions); describe reported them gone.
            let terminal =
                arn.contains(":natgateway/") || arn.contains(":instance/") || arn.contains(":ecs:");
            // moto keeps Glue's tags after the resource is deleted (describe reported it gone).
            let stale_moto_tags = arn.contains(":glue:");
            let final_snapshot = arn.contains(":snapshot:");
            !arn.contains(":kms:")
                && !recorded_cache_delete
                && !terminal
                && !final_snapshot
                && !stale_moto_tags
        })
        .collect();
    assert!(
        left.is_empty(),
        "{request}: still tagged after rollback: {left:?}"
    );
    // The database's final snapshot follows the plan's snapshot policy.
    for db in plan.of_type("aws_db_instance") {
        let keep = !db
            .values
            .get("skip_final_snapshot")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let snapshot = db
            .values
            .get("final_snapshot_identifier")
            .and_then(Value::as_str);
        let snapshots = tagged(moto, &plan.region, request_id).await;
        let kept: Vec<&String> = snapshots
            .keys()
            .filter(|a| a.contains(":snapshot:") && !a.contains(":snapshot:rds:"))
            .collect();
        if keep {
            let name = snapshot.expect("a kept snapshot is named by the plan");
            assert!(
                kept.iter()
                    .any(|a| a.ends_with(&format!(":snapshot:{name}"))),
                "{request}: no final snapshot {name}: {kept:?}"
            );
        } else {
            assert!(
                kept.is_empty(),
                "{request}: a snapshot was kept although the plan skips it: {kept:?}"
            );
        }
    }
    (wall, calls, plan.resources.len())
}

async fn every_environment(path: &str) {
    let Some(moto) = moto_url() else { return };
    let _turn = MOTO.lock().await;
    let (_, template) = PATHS.iter().find(|(p, _)| *p == path).unwrap();
    for env in Environment::ALL {
        let request = template.replace("{env}", env_word(env));
        let plan = plan_for(&request);
        assert_eq!(plan.golden_path.as_deref(), Some(path), "{request}");
        assert_eq!(plan.environment, env, "{request}");
        let (wall, calls, resources) =
            round_trip(&moto, &request, &format!("req-{path}-{}", env_word(env))).await;
        eprintln!(
            "figure: {path} {}: {resources} resources deployed in {:.2} s with {calls} API calls",
            env_word(env),
            wall.as_secs_f64()
        );
    }
}

#[tokio::test]
async fn standard_web_app_deploys_verifies_and_rolls_back_in_every_environment() {
    every_environment("standard_web_app").await;
}

#[tokio::test]
async fn api_microservice_deploys_verifies_and_rolls_back_in_every_environment() {
    every_environment("api_microservice").await;
}

#[tokio::test]
async fn batch_processing_deploys_verifies_and_rolls_back_in_every_environment() {
    every_environment("batch_processing").await;
}

#[tokio::test]
async fn data_pipeline_deploys_verifies_and_rolls_back_in_every_environment() {
    every_environment("data_pipeline").await;
}

#[tokio::test]
async fn machine_learning_deploys_verifies_and_rolls_back_in_every_environment() {
    every_environment("machine_learning").await;
}

// ---- resume ----

/// Stops the deployment like a crash: after `left` applies, the next one reaches AWS (the
/// resource is created) but its result is lost before the ledger records it.
struct Crash {
    inner: Arc<AwsProvider<MemoryLedger>>,
    left: AtomicUsize,
}

impl Provider for Crash {
    fn name(&self) -> &'static str {
        "crashing-aws"
    }
    fn supports(&self, kind: &str) -> bool {
        self.inner.supports(kind)
    }
    async fn apply(
        &self,
        ctx: &DeployContext,
        resource: &Resource,
        existing: Option<&InventoryItem>,
    ) -> Result<Applied, ProviderError> {
        let before = self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(0);
        let applied = self.inner.apply(ctx, resource, existing).await;
        if before == 0 {
            applied?;
            return Err(ProviderError::permanent(
                "the executor stopped (simulated crash)",
            ));
        }
        applied
    }
    async fn delete(&self, ctx: &DeployContext, item: &InventoryItem) -> Result<(), ProviderError> {
        self.inner.delete(ctx, item).await
    }
    async fn describe(
        &self,
        ctx: &DeployContext,
        item: &InventoryItem,
    ) -> Result<Option<Map<String, Value>>, ProviderError> {
        self.inner.describe(ctx, item).await
    }
}

#[tokio::test]
async fn a_deployment_stopped_half_way_resumes_without_duplicates() {
    let Some(moto) = moto_url() else { return };
    let _turn = MOTO.lock().await;
    for (path, template) in PATHS {
        reset(&moto).await;
        // Through the proxy only for the shapes moto gets wrong; it injects no faults here.
        let proxy = proxy(&moto, 0).await;
        let request = template.replace("{env}", "staging");
        let plan = plan_for(&request);
        let request_id = format!("req-resume-{path}");
        let c = ctx(&plan, &request_id);
        let ledger = Arc::new(MemoryLedger::default());
        let half = plan.resources.len() / 2;
        let crashing = Arc::new(Crash {
            inner: provider(&proxy.url, &plan.region, &ledger).await,
            left: AtomicUsize::new(half),
        });
        let first = Executor::new(crashing, ledger.clone())
            .deploy(&c, &plan)
            .await
            .unwrap();
        let Outcome::Failed { address: lost, .. } = &first.outcome else {
            panic!("{path}: the crash did not stop the deployment")
        };
        assert!(first.applied.len() >= half, "{path}");
        assert!(
            ledger.recorded(&request_id, lost).await.unwrap().is_none(),
            "{path}: the lost resource must be unrecorded"
        );

        // A new process: a new provider and executor on the same ledger.
        let aws = provider(&proxy.url, &plan.region, &ledger).await;
        let second = Executor::new(aws.clone(), ledger.clone())
            .deploy(&c, &plan)
            .await
            .unwrap();
        assert_eq!(second.outcome, Outcome::Completed, "{path}");
        assert_eq!(second.already_done.len(), first.applied.len(), "{path}");
        assert_eq!(
            second.applied.len() + second.already_done.len(),
            plan.resources.len(),
            "{path}"
        );
        assert!(
            executor_verify_clean(&aws, &ledger, &c, &plan).await,
            "{path}"
        );

        // No address exists twice: the resource created before the crash was found and adopted.
        let found = tagged(&moto, &plan.region, &request_id).await;
        let mut per_address: BTreeMap<String, Vec<String>> = BTreeMap::new();
        // Database snapshots and an instance's root volume carry their owner's tags; they are not
        // second databases or instances.
        for (arn, tags) in found
            .iter()
            .filter(|(arn, _)| !arn.contains(":snapshot:") && !arn.contains(":volume/"))
        {
            per_address
                .entry(tags["paved:address"].clone())
                .or_default()
                .push(arn.clone());
        }
        for (address, arns) in &per_address {
            assert_eq!(
                arns.len(),
                1,
                "{path}: {address} exists {} times: {arns:?}",
                arns.len()
            );
        }
        // Per type: a bucket and its public access block share the bucket's name, as in Terraform.
        let recorded: BTreeSet<(String, String)> = ledger
            .inventory(&request_id)
            .await
            .unwrap()
            .into_iter()
            .map(|i| (i.kind, i.physical_id))
            .collect();
        assert_eq!(
            recorded.len(),
            plan.resources.len(),
            "{path}: physical ids are unique"
        );
        eprintln!(
            "resume: {path}: stopped at {lost} after {} resources; {} found tagged once each",
            first.applied.len(),
            per_address.len()
        );
    }
}

async fn executor_verify_clean(
    aws: &Arc<AwsProvider<MemoryLedger>>,
    ledger: &Arc<MemoryLedger>,
    c: &DeployContext,
    plan: &Plan,
) -> bool {
    let drift = Executor::new(aws.clone(), ledger.clone())
        .verify(c, plan)
        .await
        .unwrap();
    if drift_keys(&drift) != known_moto_drift(plan) {
        eprintln!("{drift:#?}");
        return false;
    }
    true
}

fn drift_keys(drift: &[paved_executor::Drift]) -> Vec<(String, Option<String>)> {
    drift
        .iter()
        .map(|d| (d.address.clone(), d.attribute.clone()))
        .collect()
}

/// Differences moto itself makes: it creates one node for a replication group whatever
/// `NumCacheClusters` says (it only honours `ReplicasPerNodeGroup`). Listed here so that any other
/// drift fails the test, and so that a moto that fixes this fails it too.
fn known_moto_drift(plan: &Plan) -> Vec<(String, Option<String>)> {
    plan.of_type("aws_elasticache_replication_group")
        .filter(|r| {
            r.values
                .get("num_cache_clusters")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                > 1
        })
        .map(|r| (r.address.clone(), Some("num_cache_clusters".to_string())))
        .collect()
}

// ---- faults ----

#[tokio::test]
async fn throttling_and_503s_are_retried_and_deployments_complete_or_roll_back_cleanly() {
    let Some(moto) = moto_url() else { return };
    let _turn = MOTO.lock().await;
    for (path, template) in PATHS {
        reset(&moto).await;
        // One call in eight is refused: half with a 503, half with the protocol's throttling error.
        let proxy = proxy(&moto, 125).await;
        let request = template.replace("{env}", "development");
        let plan = plan_for(&request);
        let request_id = format!("req-faults-{path}");
        let c = ctx(&plan, &request_id);
        let ledger = Arc::new(MemoryLedger::default());
        let mut config = AwsConfig::emulator(&proxy.url, &plan.region);
        config.retries = 3;
        let aws = Arc::new(AwsProvider::connect(config, ledger.clone()).await);
        let executor =
            Executor::new(aws.clone(), ledger.clone()).with_retries(4, Duration::from_millis(10));
        let report = executor.deploy(&c, &plan).await.unwrap();
        let injected_during_deploy = proxy.state.injected.load(Ordering::SeqCst);
        assert!(injected_during_deploy > 0, "{path}: no fault was injected");
        match &report.outcome {
            Outcome::Completed => {
                assert_eq!(
                    ledger.inventory(&request_id).await.unwrap().len(),
                    plan.resources.len()
                );
                let drift = executor.verify(&c, &plan).await.unwrap();
                // A read refused by the proxy shows up as an unreadable resource, never as a wrong value.
                assert!(
                    drift
                        .iter()
                        .all(|d| d.attribute.is_none() && d.expected == "readable"),
                    "{path}: {drift:#?}"
                );
            }
            Outcome::Failed { error, .. } => {
                eprintln!("faults: {path}: the deployment stopped: {error}");
            }
        }
        let inventory = ledger.inventory(&request_id).await.unwrap();
        let (outcome, _) = executor.rollback(&c).await.unwrap();
        assert_eq!(outcome, Outcome::Completed, "{path}: rollback under faults");
        assert!(ledger.inventory(&request_id).await.unwrap().is_empty());
        // Checked without the proxy, so that no injected fault hides what is left.
        let direct = provider(&moto, &plan.region, &ledger).await;
        for item in &inventory {
            if RECORDED_DELETES.contains(&item.kind.as_str()) {
                continue;
            }
            assert_eq!(
                direct.describe(&c, item).await.unwrap(),
                None,
                "{path}: {} left behind",
                item.address
            );
        }
        eprintln!(
            "faults: {path}: {:?} with {} of {} calls refused",
            report.outcome,
            proxy.state.injected.load(Ordering::SeqCst),
            proxy.state.calls.load(Ordering::SeqCst)
        );
    }
}

// ---- without moto ----

#[tokio::test]
async fn an_unsupported_type_is_refused_before_any_call() {
    // Nothing listens here: any call the provider made would fail.
    let ledger = Arc::new(MemoryLedger::default());
    let aws = Arc::new(
        AwsProvider::connect(
            AwsConfig::emulator("http://127.0.0.1:9", "us-east-1"),
            ledger.clone(),
        )
        .await,
    );
    let mut plan = plan_for("a development web app with postgres for team payments");
    let mut odd = Resource::new("aws_gamelift_fleet", "game", ResourceAction::Create);
    odd.depends_on = vec!["aws_vpc.main".into()];
    plan.resources.push(odd);
    let c = ctx(&plan, "req-unsupported");
    let err = Executor::new(aws.clone(), ledger.clone())
        .deploy(&c, &plan)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("aws_gamelift_fleet"), "{err}");
    assert!(err.to_string().contains("nothing was started"), "{err}");
    assert_eq!(aws.calls().total(), 0);
    assert!(ledger.events().is_empty());
    // Every type the shipped golden paths can plan is supported.
    for (_, template) in PATHS {
        for env in Environment::ALL {
            let plan = plan_for(&template.replace("{env}", env_word(env)));
            for r in &plan.resources {
                assert!(
                    aws.supports(&r.kind),
                    "{} is planned but not supported",
                    r.kind
                );
            }
        }
    }
}
