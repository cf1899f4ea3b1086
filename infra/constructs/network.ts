import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** An existing VPC, named without lookups so that synth stays offline and env-agnostic. */
export interface ImportedVpc {
  vpcId: string;
  /** Private subnets with a route to the internet (NAT) or at least to GitHub and the brokers. */
  privateSubnetIds: string[];
  /** One per subnet, in the same order. */
  availabilityZones: string[];
  /**
   * The route table of each private subnet, in the same order. Needed only for `vpcEndpoints` to add the (free)
   * S3 and DynamoDB gateway endpoints to them; without it the VPC must already route S3 and DynamoDB.
   */
  routeTableIds?: string[] | undefined;
}

/**
 * Interface endpoints for the AWS APIs the in-VPC functions call besides S3 and DynamoDB (gateway endpoints):
 * Secrets Manager (platform secrets, GitHub credentials), STS (the SecretsReader role, roles the connections
 * name), Lambda (apply invokes itself; drift and api invoke apply) and, when EKS clusters are named, EKS
 * (DescribeCluster). KMS is not called directly (S3 and DynamoDB use the key on the functions' behalf) and X-Ray
 * traces leave through the Lambda service, so neither needs an endpoint.
 */
export const INTERFACE_ENDPOINTS = ['secretsmanager', 'sts', 'lambda'] as const;

/**
 * Where the in-VPC functions may open connections (the security group allows no other egress). Peers are CIDRs
 * (`10.20.0.0/16`, `2001:db8::/32`), prefix lists (`pl-…`) or security groups (`sg-…`); ports are numbers or
 * ranges (`9092-9098`). Security groups do not filter DNS to the VPC's resolver, so names still resolve.
 */
export interface FunctionEgress {
  /**
   * Where the brokers, schema registries, Connect clusters and Kubernetes API servers are. Default: the private
   * address ranges of RFC 1918, which is where VPC peers, Transit Gateway attachments and PrivateLink endpoints
   * (MSK, EKS, Confluent Cloud and Aiven private networking) answer. A platform on public addresses needs its
   * CIDRs here.
   */
  platformPeers?: string[] | undefined;
  /**
   * Their ports. Default {@link DEFAULT_PLATFORM_PORTS}: HTTPS (EKS API, registries and Connect behind TLS),
   * 6443 (self-managed Kubernetes API), 8080-8083 (registries, Connect) and 9092-9098 (Kafka: MSK 9092
   * plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM).
   */
  platformPorts?: string[] | undefined;
  /**
   * Where HTTPS (443) may go besides: GitHub (tarballs, check runs), AWS APIs (Secrets Manager, STS, EKS, Lambda,
   * and S3/DynamoDB through their gateway endpoints) and notification channels. Default `0.0.0.0/0`; narrow it
   * to a proxy's CIDR or to the prefix lists of the VPC endpoints when the functions reach nothing else.
   */
  httpsPeers?: string[] | undefined;
}

export const DEFAULT_PLATFORM_PEERS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
export const DEFAULT_PLATFORM_PORTS = ['443', '6443', '8080-8083', '9092-9098'];
export const DEFAULT_HTTPS_PEERS = ['0.0.0.0/0'];

/** A peer as written in context or props: CIDR, prefix list or security group. */
export function parsePeer(scope: Construct, value: string): ec2.IPeer {
  if (/^pl-[0-9a-f]+$/.test(value)) return ec2.Peer.prefixList(value);
  if (/^sg-[0-9a-f]+$/.test(value)) {
    return ec2.SecurityGroup.fromSecurityGroupId(scope, `Peer-${value}`, value, { mutable: false });
  }
  if (/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value)) return ec2.Peer.ipv4(value);
  if (/^[0-9a-fA-F:]+\/\d{1,3}$/.test(value) && value.includes(':')) return ec2.Peer.ipv6(value);
  throw new Error(
    `egress peer "${value}" is not a CIDR ("10.20.0.0/16"), a prefix list ("pl-0123abcd") or a security group ` +
      '("sg-0123abcd"), e.g. -c platformPeers=10.20.0.0/16,sg-0123abcd',
  );
}

/** A port as written in context or props: `9098` or `9092-9098`. */
export function parsePort(value: string): ec2.Port {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value.trim());
  const from = Number(match?.[1]);
  const to = match?.[2] === undefined ? from : Number(match[2]);
  if (!match || from < 1 || to > 65535 || from > to) {
    throw new Error(
      `egress port "${value}" is not a port (1-65535) or a range "FROM-TO", e.g. -c platformPorts=443,9098`,
    );
  }
  return from === to ? ec2.Port.tcp(from) : ec2.Port.tcpRange(from, to);
}

/**
 * Where the in-VPC functions (apply, drift, api, monitor) run: an imported VPC when `vpc` is given, otherwise a new
 * two-AZ VPC with ONE NAT gateway (not one per AZ: the functions are batch jobs, an AZ outage delays them, it
 * does not lose data) and free gateway endpoints for S3 and DynamoDB so state traffic never crosses the NAT.
 * Flow logs record rejected traffic only.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly functionSecurityGroup: ec2.SecurityGroup;
  readonly subnets: ec2.SubnetSelection;

  constructor(
    scope: Construct,
    id: string,
    props: {
      vpc?: ImportedVpc | undefined;
      egress?: FunctionEgress | undefined;
      /** Add VPC endpoints so that the functions reach the AWS APIs without a NAT gateway (ADR 0021). */
      endpoints?: { eks: boolean } | undefined;
    },
  ) {
    super(scope, id);
    if (props.vpc) {
      const { vpcId, privateSubnetIds, availabilityZones, routeTableIds = [] } = props.vpc;
      if (privateSubnetIds.length === 0 || privateSubnetIds.length % availabilityZones.length !== 0) {
        throw new Error(
          `importing VPC "${vpcId}": give privateSubnetIds and availabilityZones (one AZ per subnet), ` +
            'e.g. -c privateSubnetIds=subnet-a,subnet-b -c availabilityZones=eu-west-1a,eu-west-1b',
        );
      }
      if (routeTableIds.length > 0 && routeTableIds.length !== privateSubnetIds.length) {
        throw new Error(
          `importing VPC "${vpcId}": give one route table per private subnet (${privateSubnetIds.length}), ` +
            'in the same order, e.g. -c privateRouteTableIds=rtb-a,rtb-b',
        );
      }
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId,
        availabilityZones,
        privateSubnetIds,
        ...(routeTableIds.length > 0 ? { privateSubnetRouteTableIds: routeTableIds } : {}),
      });
      this.subnets = { subnets: this.vpc.privateSubnets };
    } else {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        ],
        gatewayEndpoints: {
          S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
          DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        },
      });
      vpc.addFlowLog('RejectedTraffic', {
        trafficType: ec2.FlowLogTrafficType.REJECT,
        destination: ec2.FlowLogDestination.toCloudWatchLogs(
          new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        ),
      });
      // aws-cdk-lib's Vpc class and IVpc disagree under exactOptionalPropertyTypes; it is an IVpc at runtime.
      this.vpc = vpc as unknown as ec2.IVpc;
      this.subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    }
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Landscape in-VPC functions: no inbound, outbound to brokers, registries, Kubernetes and AWS APIs',
      allowAllOutbound: false,
    });
    const egress = props.egress ?? {};
    const platformPorts = (egress.platformPorts?.length ? egress.platformPorts : DEFAULT_PLATFORM_PORTS).map(parsePort);
    const platformPeers = egress.platformPeers?.length ? egress.platformPeers : DEFAULT_PLATFORM_PEERS;
    const httpsPeers = egress.httpsPeers?.length ? egress.httpsPeers : DEFAULT_HTTPS_PEERS;
    const sg = this.functionSecurityGroup;
    const peers = new Map<string, ec2.IPeer>();
    const peerOf = (value: string) => {
      const peer = peers.get(value) ?? parsePeer(this, value);
      peers.set(value, peer);
      return peer;
    };
    for (const peer of httpsPeers) {
      sg.addEgressRule(peerOf(peer), ec2.Port.tcp(443), 'HTTPS: GitHub, AWS APIs, notification channels');
    }
    for (const peer of platformPeers) {
      const to = peerOf(peer);
      for (const port of platformPorts) {
        sg.addEgressRule(to, port, 'Kafka brokers, schema registries, Connect, Kubernetes API');
      }
    }
    if (props.endpoints) this.#addEndpoints(props.vpc, props.endpoints);
  }

  /**
   * Gateway endpoints for S3 and DynamoDB (free; a created VPC has them already) and interface endpoints with
   * private DNS for {@link INTERFACE_ENDPOINTS}, reachable on 443 from the functions' security group only.
   */
  #addEndpoints(imported: ImportedVpc | undefined, options: { eks: boolean }): void {
    if (imported?.routeTableIds?.length) {
      for (const [id, service] of [
        ['S3Endpoint', ec2.GatewayVpcEndpointAwsService.S3],
        ['DynamoDbEndpoint', ec2.GatewayVpcEndpointAwsService.DYNAMODB],
      ] as const) {
        new ec2.GatewayVpcEndpoint(this, id, { vpc: this.vpc, service, subnets: [this.subnets] });
      }
    }
    const endpointGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Landscape VPC interface endpoints: HTTPS from the Landscape functions only',
      allowAllOutbound: false,
    });
    endpointGroup.addIngressRule(this.functionSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the Landscape functions');
    // Also when httpsPeers is narrowed to a proxy: the endpoints are always reachable.
    this.functionSecurityGroup.addEgressRule(endpointGroup, ec2.Port.tcp(443), 'AWS APIs through the VPC endpoints');
    const services = [...INTERFACE_ENDPOINTS, ...(options.eks ? ['eks'] : [])];
    for (const name of services) {
      new ec2.InterfaceVpcEndpoint(this, `${name[0]?.toUpperCase()}${name.slice(1)}Endpoint`, {
        vpc: this.vpc,
        service: new ec2.InterfaceVpcEndpointAwsService(name),
        subnets: this.subnets,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointGroup],
      });
    }
  }
}
