//! EC2 networking and instances: VPC, subnets, gateways, route tables, security groups, flow
//! logs, instances. EC2 filters by tag, so every create first looks for a resource tagged with
//! this request and address.

use aws_sdk_ec2::types::{
    AttributeBooleanValue, BlockDeviceMapping, ConnectivityType, DomainType, EbsBlockDevice,
    Filter, FlowLogsResourceType, HttpTokensState, IamInstanceProfileSpecification,
    InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
    InstanceNetworkInterfaceSpecification, InstanceStateName, InstanceType, IpPermission, IpRange,
    LogDestinationType, NatGatewayState, ResourceType, Tag, TagSpecification, TrafficType,
    UserIdGroupPair, VolumeType,
};
use serde_json::{Map, Value};

use super::error::AwsResult;
use super::values::Values;
use super::wait::Poll;
use super::{Gone, Job, Made, obj};
use crate::provider::ProviderError;

fn tags(job: &Job<'_>) -> Vec<Tag> {
    job.tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn spec(job: &Job<'_>, kind: ResourceType) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(tags(job)))
        .build()
}

/// Filters that match what this request made for this address.
fn ours(job: &Job<'_>) -> Vec<Filter> {
    vec![
        Filter::builder()
            .name("tag:paved:request-id")
            .values(&job.ctx.request_id)
            .build(),
        Filter::builder()
            .name("tag:paved:address")
            .values(job.address)
            .build(),
    ]
}

fn tag_map(tags: &[Tag]) -> Value {
    Value::Object(
        tags.iter()
            .filter_map(|t| Some((t.key()?.to_string(), Value::String(t.value()?.to_string()))))
            .collect(),
    )
}

fn s(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::String(x.to_string()))
}

// ---- VPC ----

pub async fn vpc(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let found = c
        .describe_vpcs()
        .set_filters(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    let id = match found.vpcs().iter().find_map(|v| v.vpc_id()) {
        Some(id) => id.to_string(),
        None => {
            let out = c
                .create_vpc()
                .cidr_block(job.v.str("cidr_block")?)
                .tag_specifications(spec(job, ResourceType::Vpc))
                .send()
                .await
                .aws(&doing)?;
            out.vpc()
                .and_then(|v| v.vpc_id())
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "VPC"))?
        }
    };
    // One attribute per call, as the API demands.
    if let Some(b) = job.v.opt_bool("enable_dns_support") {
        c.modify_vpc_attribute()
            .vpc_id(&id)
            .enable_dns_support(AttributeBooleanValue::builder().value(b).build())
            .send()
            .await
            .aws(&doing)?;
    }
    if let Some(b) = job.v.opt_bool("enable_dns_hostnames") {
        c.modify_vpc_attribute()
            .vpc_id(&id)
            .enable_dns_hostnames(AttributeBooleanValue::builder().value(b).build())
            .send()
            .await
            .aws(&doing)?;
    }
    let arn = format!(
        "arn:aws:ec2:{}:{}:vpc/{id}",
        job.c.region,
        job.c.account().await?
    );
    Ok(Made::new(id).with("arn", arn))
}

pub async fn delete_vpc(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    // Network interfaces of deleted load balancers and NAT gateways linger for a while.
    g.c.ec2
        .delete_vpc()
        .vpc_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(gone_ok(&doing, &["DependencyViolation"]))
}

pub async fn describe_vpc(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_vpcs()
            .vpc_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.vpcs().first().cloned()).map(|v| {
        obj([
            ("cidr_block", s(v.cidr_block())),
            ("tags", Some(tag_map(v.tags()))),
        ])
    }))
}

// ---- Subnet ----

pub async fn subnet(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let found = c
        .describe_subnets()
        .set_filters(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    let id = match found.subnets().iter().find_map(|v| v.subnet_id()) {
        Some(id) => id.to_string(),
        None => {
            let out = c
                .create_subnet()
                .vpc_id(job.v.str("vpc_id")?)
                .cidr_block(job.v.str("cidr_block")?)
                .set_availability_zone(job.v.opt_str("availability_zone").map(str::to_string))
                .tag_specifications(spec(job, ResourceType::Subnet))
                .send()
                .await
                .aws(&doing)?;
            out.subnet()
                .and_then(|v| v.subnet_id())
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "subnet"))?
        }
    };
    if job.v.bool_or("map_public_ip_on_launch", false) {
        c.modify_subnet_attribute()
            .subnet_id(&id)
            .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
            .send()
            .await
            .aws(&doing)?;
    }
    let arn = format!(
        "arn:aws:ec2:{}:{}:subnet/{id}",
        job.c.region,
        job.c.account().await?
    );
    Ok(Made::new(id).with("arn", arn))
}

pub async fn delete_subnet(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.ec2
        .delete_subnet()
        .subnet_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(gone_ok(&doing, &["DependencyViolation"]))
}

pub async fn describe_subnet(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_subnets()
            .subnet_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.subnets().first().cloned()).map(|v| {
        obj([
            ("cidr_block", s(v.cidr_block())),
            ("availability_zone", s(v.availability_zone())),
            ("vpc_id", s(v.vpc_id())),
            (
                "map_public_ip_on_launch",
                v.map_public_ip_on_launch().map(Value::Bool),
            ),
            ("tags", Some(tag_map(v.tags()))),
        ])
    }))
}

// ---- Internet gateway ----

pub async fn internet_gateway(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let vpc = job.v.str("vpc_id")?;
    let found = c
        .describe_internet_gateways()
        .set_filters(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    let (id, attached) = match found.internet_gateways().first() {
        Some(igw) => (
            igw.internet_gateway_id().unwrap_or_default().to_string(),
            igw.attachments().iter().any(|a| a.vpc_id() == Some(vpc)),
        ),
        None => {
            let out = c
                .create_internet_gateway()
                .tag_specifications(spec(job, ResourceType::InternetGateway))
                .send()
                .await
                .aws(&doing)?;
            let id = out
                .internet_gateway()
                .and_then(|g| g.internet_gateway_id())
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "internet gateway"))?;
            (id, false)
        }
    };
    if !attached {
        c.attach_internet_gateway()
            .internet_gateway_id(&id)
            .vpc_id(vpc)
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(id))
}

pub async fn delete_internet_gateway(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    if let Some(vpc) = g.attr("vpc_id") {
        // Detaching fails while public addresses are still mapped in the VPC; that settles.
        let r =
            g.c.ec2
                .detach_internet_gateway()
                .internet_gateway_id(g.id())
                .vpc_id(vpc)
                .send()
                .await;
        if let Err(e) = r {
            let f = super::error::Failure::of(&e);
            if !(f.not_found() || f.code_is("Gateway.NotAttached")) {
                return Err(if f.code_is("DependencyViolation") {
                    ProviderError::transient(f.sentence(&doing))
                } else {
                    f.into_error(&doing)
                });
            }
        }
    }
    g.c.ec2
        .delete_internet_gateway()
        .internet_gateway_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(gone_ok(&doing, &["DependencyViolation"]))
}

pub async fn describe_internet_gateway(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_internet_gateways()
            .internet_gateway_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.internet_gateways().first().cloned())
        .map(|v| {
            obj([
                (
                    "vpc_id",
                    s(v.attachments().first().and_then(|a| a.vpc_id())),
                ),
                ("tags", Some(tag_map(v.tags()))),
            ])
        }))
}

// ---- Elastic IP ----

pub async fn eip(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let found = c
        .describe_addresses()
        .set_filters(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    if let Some(a) = found.addresses().first() {
        let id = a.allocation_id().unwrap_or_default().to_string();
        return Ok(Made::new(id.clone())
            .with("allocation_id", id)
            .with("public_ip", a.public_ip().unwrap_or_default()));
    }
    let out = c
        .allocate_address()
        .domain(DomainType::Vpc)
        .tag_specifications(spec(job, ResourceType::ElasticIp))
        .send()
        .await
        .aws(&doing)?;
    let id = out
        .allocation_id()
        .map(str::to_string)
        .ok_or_else(|| no_id(job, "address"))?;
    Ok(Made::new(id.clone())
        .with("allocation_id", id)
        .with("public_ip", out.public_ip().unwrap_or_default()))
}

pub async fn delete_eip(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("release {}", g.item.address);
    // Still associated while the NAT gateway finishes deleting.
    g.c.ec2
        .release_address()
        .allocation_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(gone_ok(&doing, &["InvalidIPAddress.InUse", "AuthFailure"]))
}

pub async fn describe_eip(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_addresses()
            .allocation_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.addresses().first().cloned()).map(|a| {
        obj([
            (
                "domain",
                a.domain().map(|d| Value::String(d.as_str().to_string())),
            ),
            ("tags", Some(tag_map(a.tags()))),
        ])
    }))
}

// ---- NAT gateway ----

pub async fn nat_gateway(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let mut filters = ours(job);
    filters.push(
        Filter::builder()
            .name("state")
            .values("pending")
            .values("available")
            .build(),
    );
    let found = c
        .describe_nat_gateways()
        .set_filter(Some(filters))
        .send()
        .await
        .aws(&doing)?;
    let id = match found.nat_gateways().iter().find_map(|n| n.nat_gateway_id()) {
        Some(id) => id.to_string(),
        None => {
            let connectivity = job.v.opt_str("connectivity_type").unwrap_or("public");
            let out = c
                .create_nat_gateway()
                .subnet_id(job.v.str("subnet_id")?)
                .set_allocation_id(job.v.opt_str("allocation_id").map(str::to_string))
                .connectivity_type(ConnectivityType::from(connectivity))
                .client_token(job.client_token())
                .tag_specifications(spec(job, ResourceType::Natgateway))
                .send()
                .await
                .aws(&doing)?;
            out.nat_gateway()
                .and_then(|n| n.nat_gateway_id())
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "NAT gateway"))?
        }
    };
    let ec2 = c.clone();
    let nat = id.clone();
    job.wait
        .until("available", || {
            let ec2 = ec2.clone();
            let nat = nat.clone();
            let doing = doing.clone();
            async move {
                let out = ec2.describe_nat_gateways().nat_gateway_ids(&nat).send().await.aws(&doing)?;
                Ok(match out.nat_gateways().first().and_then(|n| n.state().cloned()) {
                    Some(NatGatewayState::Available) => Poll::Ready,
                    Some(NatGatewayState::Failed) => Poll::Failed(format!("The NAT gateway {nat} failed to start; AWS usually says why in its failure message in the console.")),
                    Some(other) => Poll::Pending(other.as_str().to_string()),
                    None => Poll::Pending("not visible yet".into()),
                })
            }
        })
        .await?;
    Ok(Made::new(id))
}

pub async fn delete_nat_gateway(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.ec2
        .delete_nat_gateway()
        .nat_gateway_id(g.id())
        .send()
        .await
        .gone(&doing)?;
    // Its address and subnet stay in use until it is gone.
    let ec2 = g.c.ec2.clone();
    let nat = g.id().to_string();
    g.wait
        .until("deleted", || {
            let ec2 = ec2.clone();
            let nat = nat.clone();
            let doing = doing.clone();
            async move {
                let out = ec2
                    .describe_nat_gateways()
                    .nat_gateway_ids(&nat)
                    .send()
                    .await
                    .found(&doing)?;
                Ok(
                    match out
                        .and_then(|o| o.nat_gateways().first().and_then(|n| n.state().cloned()))
                    {
                        None | Some(NatGatewayState::Deleted) => Poll::Ready,
                        Some(other) => Poll::Pending(other.as_str().to_string()),
                    },
                )
            }
        })
        .await
}

pub async fn describe_nat_gateway(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_nat_gateways()
            .nat_gateway_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.nat_gateways().first().cloned())
        .filter(|n| n.state() != Some(&NatGatewayState::Deleted))
        .map(|n| {
            obj([
                ("subnet_id", s(n.subnet_id())),
                (
                    "allocation_id",
                    s(n.nat_gateway_addresses()
                        .first()
                        .and_then(|a| a.allocation_id())),
                ),
                (
                    "connectivity_type",
                    n.connectivity_type()
                        .map(|c| Value::String(c.as_str().to_string())),
                ),
                ("tags", Some(tag_map(n.tags()))),
            ])
        }))
}

// ---- Route tables ----

pub async fn route_table(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let found = c
        .describe_route_tables()
        .set_filters(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    let (id, existing_routes): (String, Vec<String>) = match found.route_tables().first() {
        Some(rt) => (
            rt.route_table_id().unwrap_or_default().to_string(),
            rt.routes()
                .iter()
                .filter_map(|r| r.destination_cidr_block().map(str::to_string))
                .collect(),
        ),
        None => {
            let out = c
                .create_route_table()
                .vpc_id(job.v.str("vpc_id")?)
                .tag_specifications(spec(job, ResourceType::RouteTable))
                .send()
                .await
                .aws(&doing)?;
            let id = out
                .route_table()
                .and_then(|r| r.route_table_id())
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "route table"))?;
            (id, Vec::new())
        }
    };
    for route in job.v.blocks("route") {
        let cidr = route.str("cidr_block")?;
        if existing_routes.iter().any(|r| r == cidr) {
            continue;
        }
        c.create_route()
            .route_table_id(&id)
            .destination_cidr_block(cidr)
            .set_gateway_id(route.opt_str("gateway_id").map(str::to_string))
            .set_nat_gateway_id(route.opt_str("nat_gateway_id").map(str::to_string))
            .set_transit_gateway_id(route.opt_str("transit_gateway_id").map(str::to_string))
            .set_vpc_peering_connection_id(
                route
                    .opt_str("vpc_peering_connection_id")
                    .map(str::to_string),
            )
            .set_vpc_endpoint_id(route.opt_str("vpc_endpoint_id").map(str::to_string))
            .send()
            .await
            .aws(&doing)?;
    }
    Ok(Made::new(id))
}

pub async fn delete_route_table(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    g.c.ec2
        .delete_route_table()
        .route_table_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(gone_ok(&doing, &["DependencyViolation"]))
}

pub async fn describe_route_table(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_route_tables()
            .route_table_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.route_tables().first().cloned())
        .map(|rt| {
            // The routes paved added, in the plan's shape; AWS's own local route is not the plan's.
            let routes: Vec<Value> = rt
                .routes()
                .iter()
                .filter(|r| r.gateway_id() != Some("local"))
                .map(|r| {
                    let gateway = r
                        .gateway_id()
                        .map(|g| ("gateway_id", g))
                        .or_else(|| r.nat_gateway_id().map(|n| ("nat_gateway_id", n)));
                    let mut m = Map::new();
                    m.insert(
                        "cidr_block".into(),
                        Value::String(r.destination_cidr_block().unwrap_or_default().to_string()),
                    );
                    if let Some((k, v)) = gateway {
                        m.insert(k.into(), Value::String(v.to_string()));
                    }
                    Value::Object(m)
                })
                .collect();
            let mut m = obj([
                ("vpc_id", s(rt.vpc_id())),
                ("tags", Some(tag_map(rt.tags()))),
            ]);
            m.insert("route".into(), Value::Array(routes));
            m
        }))
}

pub async fn route_table_association(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("associate {}", job.address);
    let table = job.v.str("route_table_id")?;
    let subnet = job.v.str("subnet_id")?;
    let out = c
        .describe_route_tables()
        .route_table_ids(table)
        .send()
        .await
        .aws(&doing)?;
    let existing = out
        .route_tables()
        .iter()
        .flat_map(|rt| rt.associations())
        .find(|a| a.subnet_id() == Some(subnet))
        .and_then(|a| a.route_table_association_id());
    let id = match existing {
        Some(id) => id.to_string(),
        None => {
            let out = c
                .associate_route_table()
                .route_table_id(table)
                .subnet_id(subnet)
                .send()
                .await
                .aws(&doing)?;
            out.association_id()
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "route table association"))?
        }
    };
    Ok(Made::new(id))
}

pub async fn delete_route_table_association(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("disassociate {}", g.item.address);
    g.c.ec2
        .disassociate_route_table()
        .association_id(g.id())
        .send()
        .await
        .gone(&doing)
}

pub async fn describe_route_table_association(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let filter = Filter::builder()
        .name("association.route-table-association-id")
        .values(g.id())
        .build();
    let out =
        g.c.ec2
            .describe_route_tables()
            .filters(filter)
            .send()
            .await
            .aws(&format!("read {}", g.item.address))?;
    Ok(out
        .route_tables()
        .iter()
        .flat_map(|rt| rt.associations())
        .find(|a| a.route_table_association_id() == Some(g.id()))
        .map(|a| {
            obj([
                ("route_table_id", s(a.route_table_id())),
                ("subnet_id", s(a.subnet_id())),
            ])
        }))
}

// ---- Security groups ----

fn permission(rule: &Values<'_>) -> Result<IpPermission, ProviderError> {
    let protocol = rule.opt_text("protocol").unwrap_or_else(|| "tcp".into());
    let protocol = if protocol == "all" {
        "-1".to_string()
    } else {
        protocol
    };
    let description = rule.opt_str("description").map(str::to_string);
    let mut p = IpPermission::builder().ip_protocol(&protocol);
    if protocol != "-1" {
        p = p
            .set_from_port(rule.opt_i32("from_port"))
            .set_to_port(rule.opt_i32("to_port"));
    }
    for cidr in rule.strs("cidr_blocks") {
        p = p.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .set_description(description.clone())
                .build(),
        );
    }
    for group in rule.strs("security_groups") {
        p = p.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(group)
                .set_description(description.clone())
                .build(),
        );
    }
    Ok(p.build())
}

pub async fn security_group(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let found = c
        .describe_security_groups()
        .set_filters(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    if let Some(sg) = found.security_groups().first() {
        // Rules are written right after the group is created; a group found again already has them.
        let id = sg.group_id().unwrap_or_default().to_string();
        let arn = format!(
            "arn:aws:ec2:{}:{}:security-group/{id}",
            job.c.region,
            job.c.account().await?
        );
        return Ok(Made::new(id).with("arn", arn));
    }
    let name = job.v.opt_str("name").unwrap_or(job.address);
    let out = c
        .create_security_group()
        .group_name(name)
        .description(job.v.opt_str("description").unwrap_or("Managed by paved"))
        .set_vpc_id(job.v.opt_str("vpc_id").map(str::to_string))
        .tag_specifications(spec(job, ResourceType::SecurityGroup))
        .send()
        .await
        .aws(&doing)?;
    let id = out
        .group_id()
        .map(str::to_string)
        .ok_or_else(|| no_id(job, "security group"))?;
    // AWS opens all egress by default; the plan's rules are the whole truth.
    let all = IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    c.revoke_security_group_egress()
        .group_id(&id)
        .ip_permissions(all)
        .send()
        .await
        .gone(&doing)?;
    let ingress = job
        .v
        .blocks("ingress")
        .iter()
        .map(permission)
        .collect::<Result<Vec<_>, _>>()?;
    if !ingress.is_empty() {
        c.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(ingress))
            .send()
            .await
            .aws(&doing)?;
    }
    let egress = job
        .v
        .blocks("egress")
        .iter()
        .map(permission)
        .collect::<Result<Vec<_>, _>>()?;
    if !egress.is_empty() {
        c.authorize_security_group_egress()
            .group_id(&id)
            .set_ip_permissions(Some(egress))
            .send()
            .await
            .aws(&doing)?;
    }
    let arn = format!(
        "arn:aws:ec2:{}:{}:security-group/{id}",
        job.c.region,
        job.c.account().await?
    );
    Ok(Made::new(id).with("arn", arn))
}

pub async fn delete_security_group(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("delete {}", g.item.address);
    // Interfaces of deleted services and functions release the group a little later.
    g.c.ec2
        .delete_security_group()
        .group_id(g.id())
        .send()
        .await
        .map(|_| ())
        .or_else(gone_ok(&doing, &["DependencyViolation"]))
}

pub async fn describe_security_group(
    g: &Gone<'_>,
) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_security_groups()
            .group_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out
        .and_then(|o| o.security_groups().first().cloned())
        .map(|sg| {
            obj([
                ("name", s(sg.group_name())),
                ("description", s(sg.description())),
                ("vpc_id", s(sg.vpc_id())),
                ("tags", Some(tag_map(sg.tags()))),
            ])
        }))
}

// ---- Flow logs ----

pub async fn flow_log(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let found = c
        .describe_flow_logs()
        .set_filter(Some(ours(job)))
        .send()
        .await
        .aws(&doing)?;
    if let Some(id) = found.flow_logs().iter().find_map(|f| f.flow_log_id()) {
        return Ok(Made::new(id));
    }
    let (resource, kind) = match (job.v.opt_str("vpc_id"), job.v.opt_str("subnet_id")) {
        (Some(vpc), _) => (vpc, FlowLogsResourceType::Vpc),
        (None, Some(subnet)) => (subnet, FlowLogsResourceType::Subnet),
        _ => {
            return Err(ProviderError::permanent(format!(
                "{} needs `vpc_id` or `subnet_id` in the plan.",
                job.address
            )));
        }
    };
    let out = c
        .create_flow_logs()
        .resource_ids(resource)
        .resource_type(kind)
        .traffic_type(TrafficType::from(
            job.v.opt_str("traffic_type").unwrap_or("ALL"),
        ))
        .log_destination_type(LogDestinationType::from(
            job.v
                .opt_str("log_destination_type")
                .unwrap_or("cloud-watch-logs"),
        ))
        .set_log_destination(job.v.opt_str("log_destination").map(str::to_string))
        .set_deliver_logs_permission_arn(job.v.opt_str("iam_role_arn").map(str::to_string))
        .set_max_aggregation_interval(job.v.opt_i32("max_aggregation_interval"))
        .client_token(job.client_token())
        .tag_specifications(spec(job, ResourceType::VpcFlowLog))
        .send()
        .await
        .aws(&doing)?;
    if let Some(problem) = out.unsuccessful().first() {
        let why = problem
            .error()
            .and_then(|e| e.message())
            .unwrap_or("no reason given");
        return Err(ProviderError::permanent(format!(
            "AWS refused to {doing}: {why}."
        )));
    }
    let id = out
        .flow_log_ids()
        .first()
        .cloned()
        .ok_or_else(|| no_id(job, "flow log"))?;
    Ok(Made::new(id))
}

pub async fn delete_flow_log(g: &Gone<'_>) -> Result<(), ProviderError> {
    g.c.ec2
        .delete_flow_logs()
        .flow_log_ids(g.id())
        .send()
        .await
        .gone(&format!("delete {}", g.item.address))
}

pub async fn describe_flow_log(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_flow_logs()
            .flow_log_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    Ok(out.and_then(|o| o.flow_logs().first().cloned()).map(|f| {
        obj([
            (
                "traffic_type",
                f.traffic_type()
                    .map(|t| Value::String(t.as_str().to_string())),
            ),
            (
                "log_destination_type",
                f.log_destination_type()
                    .map(|t| Value::String(t.as_str().to_string())),
            ),
            ("vpc_id", s(f.resource_id())),
            ("tags", Some(tag_map(f.tags()))),
        ])
    }))
}

// ---- Instances ----

/// The root device of an image: from the image itself when it can be described; for an image
/// chosen through a Systems Manager parameter, Ubuntu-family images use `/dev/sda1` and others
/// (Amazon Linux) `/dev/xvda`.
async fn root_device(job: &Job<'_>, ami: &str) -> Result<String, ProviderError> {
    if ami.starts_with("ami-") {
        let out = job
            .c
            .ec2
            .describe_images()
            .image_ids(ami)
            .send()
            .await
            .found(&format!("look up the image {ami}"))?;
        if let Some(name) = out.and_then(|o| {
            o.images()
                .first()
                .and_then(|i| i.root_device_name().map(str::to_string))
        }) {
            return Ok(name);
        }
    }
    Ok(if ami.contains("ubuntu") || ami.contains("deeplearning") {
        "/dev/sda1".into()
    } else {
        "/dev/xvda".into()
    })
}

pub async fn instance(job: &Job<'_>) -> Result<Made, ProviderError> {
    let c = &job.c.ec2;
    let doing = format!("create {}", job.address);
    let mut filters = ours(job);
    filters.push(
        Filter::builder()
            .name("instance-state-name")
            .values("pending")
            .values("running")
            .values("stopping")
            .values("stopped")
            .build(),
    );
    let found = c
        .describe_instances()
        .set_filters(Some(filters))
        .send()
        .await
        .aws(&doing)?;
    let id = match found
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find_map(|i| i.instance_id())
    {
        Some(id) => id.to_string(),
        None => {
            let ami = job.v.str("ami")?;
            let mut req = c
                .run_instances()
                .image_id(ami)
                .instance_type(InstanceType::from(job.v.str("instance_type")?))
                .min_count(1)
                .max_count(1)
                .client_token(job.client_token())
                .tag_specifications(spec(job, ResourceType::Instance))
                .tag_specifications(spec(job, ResourceType::Volume));
            let groups = job.v.strs("vpc_security_group_ids");
            if job.v.opt_bool("associate_public_ip_address").is_some() {
                // The public address choice lives on the network interface.
                req = req.network_interfaces(
                    InstanceNetworkInterfaceSpecification::builder()
                        .device_index(0)
                        .set_subnet_id(job.v.opt_str("subnet_id").map(str::to_string))
                        .associate_public_ip_address(
                            job.v.bool_or("associate_public_ip_address", false),
                        )
                        .set_groups(Some(groups))
                        .build(),
                );
            } else {
                req = req
                    .set_subnet_id(job.v.opt_str("subnet_id").map(str::to_string))
                    .set_security_group_ids(Some(groups));
            }
            if let Some(profile) = job.v.opt_str("iam_instance_profile") {
                req = req.iam_instance_profile(
                    IamInstanceProfileSpecification::builder()
                        .name(profile)
                        .build(),
                );
            }
            if let Some(m) = job.v.block("metadata_options") {
                req = req.metadata_options(
                    InstanceMetadataOptionsRequest::builder()
                        .set_http_tokens(m.opt_str("http_tokens").map(HttpTokensState::from))
                        .set_http_endpoint(
                            m.opt_str("http_endpoint")
                                .map(InstanceMetadataEndpointState::from),
                        )
                        .build(),
                );
            }
            if let Some(monitoring) = job.v.opt_bool("monitoring") {
                req = req.monitoring(
                    aws_sdk_ec2::types::RunInstancesMonitoringEnabled::builder()
                        .enabled(monitoring)
                        .build(),
                );
            }
            if let Some(root) = job.v.block("root_block_device") {
                req = req.block_device_mappings(
                    BlockDeviceMapping::builder()
                        .device_name(root_device(job, ami).await?)
                        .ebs(
                            EbsBlockDevice::builder()
                                .set_encrypted(root.opt_bool("encrypted"))
                                .set_volume_size(root.opt_i32("volume_size"))
                                .set_volume_type(root.opt_str("volume_type").map(VolumeType::from))
                                .set_kms_key_id(root.opt_str("kms_key_id").map(str::to_string))
                                .delete_on_termination(root.bool_or("delete_on_termination", true))
                                .build(),
                        )
                        .build(),
                );
            }
            let out = req.send().await.aws(&doing)?;
            out.instances()
                .first()
                .and_then(|i| i.instance_id())
                .map(str::to_string)
                .ok_or_else(|| no_id(job, "instance"))?
        }
    };
    let ec2 = c.clone();
    let instance = id.clone();
    job.wait
        .until("running", || {
            let (ec2, instance, doing) = (ec2.clone(), instance.clone(), doing.clone());
            async move {
                let out = ec2.describe_instances().instance_ids(&instance).send().await.found(&doing)?;
                let state = out.and_then(|o| o.reservations().iter().flat_map(|r| r.instances()).find_map(|i| i.state().and_then(|s| s.name().cloned())));
                Ok(match state {
                    Some(InstanceStateName::Running) => Poll::Ready,
                    Some(InstanceStateName::Terminated) | Some(InstanceStateName::ShuttingDown) => {
                        Poll::Failed(format!("The instance {instance} stopped while starting; its console output says why."))
                    }
                    Some(other) => Poll::Pending(other.as_str().to_string()),
                    None => Poll::Pending("not visible yet".into()),
                })
            }
        })
        .await?;
    let arn = format!(
        "arn:aws:ec2:{}:{}:instance/{id}",
        job.c.region,
        job.c.account().await?
    );
    Ok(Made::new(id).with("arn", arn))
}

pub async fn delete_instance(g: &Gone<'_>) -> Result<(), ProviderError> {
    let doing = format!("terminate {}", g.item.address);
    g.c.ec2
        .terminate_instances()
        .instance_ids(g.id())
        .send()
        .await
        .gone(&doing)?;
    // Its network interface holds the subnet and security group until it is terminated.
    let ec2 = g.c.ec2.clone();
    let instance = g.id().to_string();
    g.wait
        .until("deleted", || {
            let (ec2, instance, doing) = (ec2.clone(), instance.clone(), doing.clone());
            async move {
                let out = ec2
                    .describe_instances()
                    .instance_ids(&instance)
                    .send()
                    .await
                    .found(&doing)?;
                let state = out.and_then(|o| {
                    o.reservations()
                        .iter()
                        .flat_map(|r| r.instances())
                        .find_map(|i| i.state().and_then(|s| s.name().cloned()))
                });
                Ok(match state {
                    None | Some(InstanceStateName::Terminated) => Poll::Ready,
                    Some(other) => Poll::Pending(other.as_str().to_string()),
                })
            }
        })
        .await
}

pub async fn describe_instance(g: &Gone<'_>) -> Result<Option<Map<String, Value>>, ProviderError> {
    let out =
        g.c.ec2
            .describe_instances()
            .instance_ids(g.id())
            .send()
            .await
            .found(&format!("read {}", g.item.address))?;
    let instance = out.and_then(|o| {
        o.reservations()
            .iter()
            .flat_map(|r| r.instances())
            .next()
            .cloned()
    });
    Ok(instance
        .filter(|i| i.state().and_then(|s| s.name()) != Some(&InstanceStateName::Terminated))
        .map(|i| {
            obj([
                (
                    "instance_type",
                    i.instance_type()
                        .map(|t| Value::String(t.as_str().to_string())),
                ),
                ("subnet_id", s(i.subnet_id())),
                ("tags", Some(tag_map(i.tags()))),
            ])
        }))
}

// ---- helpers ----

fn no_id(job: &Job<'_>, what: &str) -> ProviderError {
    ProviderError::permanent(format!(
        "AWS created the {what} for {} but did not return its id; look for it by its paved:address tag.",
        job.address
    ))
}

/// For deletes: "not found" is done, the listed codes are worth retrying, the rest is permanent.
pub(crate) fn gone_ok<'a, E>(
    doing: &'a str,
    retry: &'a [&'a str],
) -> impl FnOnce(
    aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> Result<(), ProviderError>
+ 'a
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| {
        let f = super::error::Failure::of(&e);
        if f.not_found() {
            Ok(())
        } else if f.code.as_deref().is_some_and(|c| retry.contains(&c)) {
            Err(ProviderError::transient(f.sentence(doing)))
        } else {
            Err(f.into_error(doing))
        }
    }
}

pub(crate) use gone_ok as delete_outcome;
