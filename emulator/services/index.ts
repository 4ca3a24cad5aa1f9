// The registry of emulated services. To add one: create emulator/services/<name>.ts
// exporting a ServiceModule (copy sts.ts for awsQuery, organizations.ts for JSON), then
// add it to this list. See emulator/README.md, "How to add a service".
// Order matters only for modules sharing a signing name (s3 / s3-control: `matches`).
import type { ServiceModule } from '../types.js';
import { accessAnalyzer } from './accessanalyzer.js';
import { account } from './account.js';
import { budgets } from './budgets.js';
import { config } from './config.js';
import { cloudtrail } from './cloudtrail.js';
import { costExplorer } from './cost-explorer.js';
import { ec2 } from './ec2.js';
import { guardduty } from './guardduty.js';
import { iam } from './iam.js';
import { kms } from './kms.js';
import { organizations } from './organizations.js';
import { s3Control } from './s3-control.js';
import { s3 } from './s3.js';
import { securityhub } from './securityhub.js';
import { identitystore } from './identitystore.js';
import { ssoAdmin } from './sso-admin.js';
import { sso, ssoOidc } from './sso.js';
import { sts } from './sts.js';

export const SERVICES: ServiceModule[] = [
  organizations,
  sts,
  iam,
  account,
  budgets,
  costExplorer,
  cloudtrail,
  s3Control,
  s3,
  ec2,
  kms,
  ssoAdmin,
  identitystore,
  sso,
  ssoOidc,
  guardduty,
  accessAnalyzer,
  securityhub,
  config,
];
