import { createCimasterClient, type CimasterClient } from '@ci-stack/cimaster-api';
import { createManualTriggerClient, type ManualTriggerClient } from '@ci-stack/manual-trigger-api';
import { json, type Io } from './output';
import { requireUrl, type Settings } from './settings';

/** What every command gets: where to write, the settings, and typed clients built on first use. */
export class Context {
  private settingsValue: Settings | undefined;

  constructor(
    readonly io: Io,
    private readonly deps: { fetch?: typeof fetch; sleep: (ms: number) => Promise<void> },
  ) {}

  set settings(s: Settings) {
    this.settingsValue = s;
  }

  get settings(): Settings {
    if (!this.settingsValue) throw new Error('settings are loaded before any command runs');
    return this.settingsValue;
  }

  get sleep(): (ms: number) => Promise<void> {
    return this.deps.sleep;
  }

  cimaster(): CimasterClient {
    const { cimaster, timeoutMs, configFile } = this.settings;
    return createCimasterClient({ baseUrl: requireUrl(cimaster, configFile), token: cimaster.token, timeoutMs, fetch: this.deps.fetch });
  }

  manualTrigger(): ManualTriggerClient {
    const { manualTrigger, timeoutMs, configFile } = this.settings;
    return createManualTriggerClient({ baseUrl: requireUrl(manualTrigger, configFile), token: manualTrigger.token, timeoutMs, fetch: this.deps.fetch });
  }

  /** The human form by default, the service's JSON answer with `-o json`. */
  print(human: () => string, data: unknown): void {
    this.io.out(this.settings.output === 'json' ? json(data) : human());
  }
}
