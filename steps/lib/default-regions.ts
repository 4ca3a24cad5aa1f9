// The regions AWS enables in every new account: those launched before 20 March 2019. Regions
// launched later are opt-in (disabled until the account enables them)
// (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html). A plan
// for an account not created yet assumes exactly these; observe reads the account's own list
// with ec2:DescribeRegions.
export const DEFAULT_ENABLED_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
];
