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

  constructor(scope: Construct, id: string, props: { vpc?: ImportedVpc | undefined }) {
    super(scope, id);
    if (props.vpc) {
      const { vpcId, privateSubnetIds, availabilityZones } = props.vpc;
      if (privateSubnetIds.length === 0 || privateSubnetIds.length % availabilityZones.length !== 0) {
        throw new Error(
          `importing VPC "${vpcId}": give privateSubnetIds and availabilityZones (one AZ per subnet), ` +
            'e.g. -c privateSubnetIds=subnet-a,subnet-b -c availabilityZones=eu-west-1a,eu-west-1b',
        );
      }
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId, availabilityZones, privateSubnetIds });
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
      allowAllOutbound: true,
    });
  }
}
