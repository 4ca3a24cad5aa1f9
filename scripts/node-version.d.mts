export declare const NEED_MAJOR: number;
export declare function oldNodeMessage(version: string, run: string, o?: { cloudShell: boolean }): string | undefined;
export declare function npxWithNode(args: string[]): string;
