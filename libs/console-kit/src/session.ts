const KEY = 'ci-stack.token';

/** Where the console keeps its token: the tab's sessionStorage, so it goes when the tab closes. */
export interface TokenStore {
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

export function sessionTokenStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = sessionStorage): TokenStore {
  return {
    get: () => storage.getItem(KEY) ?? undefined,
    set: (token) => storage.setItem(KEY, token.trim()),
    clear: () => storage.removeItem(KEY),
  };
}

/** The caller as the console knows it: the token of this tab and whether the service checks tokens at all. */
export interface Session {
  token: string | undefined;
  auth: boolean;
  /** The service refused the token (401): the console forgets it and shows the message next to the token field. */
  onUnauthenticated: (message: string) => void;
}

/** What the service tells its console at start (`/ui/config.json`). */
export interface ConsoleConfig {
  service: string;
  /** The other console's URL, when the operator gave it. */
  peer_url: string | null;
  /** Whether the service checks tokens at all. */
  auth?: boolean;
  [key: string]: unknown;
}

/**
 * Which field an API message is about, by the words it uses: `{ cluster: /cluster/ }` puts "cluster name ... must
 * be a DNS label" next to the cluster field. A message about none of them belongs to the form as a whole.
 */
export function fieldOf(message: string, fields: Record<string, RegExp>): string | undefined {
  for (const [field, pattern] of Object.entries(fields)) if (pattern.test(message)) return field;
  return undefined;
}
