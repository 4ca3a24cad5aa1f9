// The registry of emulated services. To add one: create emulator/services/<name>.ts
// exporting a ServiceModule (copy sts.ts for awsQuery, organizations.ts for JSON), then
// add it to this list. See emulator/README.md, "How to add a service".
import type { ServiceModule } from '../types.js';
import { iam } from './iam.js';
import { organizations } from './organizations.js';
import { sts } from './sts.js';

export const SERVICES: ServiceModule[] = [organizations, sts, iam];
