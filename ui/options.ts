/** Options every command receives, parsed in bin/cli.ts. */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  config?: string;
  state: string;
  yes: boolean;
  json: boolean;
  verbose: boolean;
  force: boolean;
  print: boolean;
}
