import path from 'node:path';
import fs from 'node:fs';
import dotenv from 'dotenv';
import { loadConfig, ConfigError, CONFIG_KEYS } from '../../lib/config';
import { projectRoot, projectPath } from '../../lib/paths';

describe('configuration from the environment', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3978,
      host: '127.0.0.1',
      importTimeZone: 'Europe/London',
      logLevel: 'info',
    });
    expect(config.dbFile).toBe(path.resolve(process.cwd(), 'var/retain.db'));
    expect(config.demoDataFile).toBe(path.join(projectRoot, 'data', 'demo', 'online-retail-sample.csv.gz'));
    expect(config.bot.appId).toBeUndefined();
  });

  it('reads every setting, treating empty values as unset', () => {
    const config = loadConfig({
      RETAIN_DB: '/srv/shop.db',
      PORT: '8080',
      HOST: '',
      RETAIN_IMPORT_TIMEZONE: 'America/New_York',
      RETAIN_TF_BACKEND: 'cpu',
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'secret',
    });
    expect(config).toMatchObject({ dbFile: '/srv/shop.db', port: 8080, host: '127.0.0.1', tfBackend: 'cpu' });
    expect(config.bot).toMatchObject({ appId: 'app', appPassword: 'secret', appType: 'MultiTenant' });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ RETAIN_IMPORT_TIMEZONE: 'Mars/Olympus' }, /RETAIN_IMPORT_TIMEZONE: is not an IANA time zone/],
    [{ RETAIN_LOG_LEVEL: 'loud' }, /RETAIN_LOG_LEVEL/],
    [{ MicrosoftAppPassword: 'secret' }, /MicrosoftAppId is not/],
    [{ MicrosoftAppId: 'a', MicrosoftAppType: 'SingleTenant' }, /needs MicrosoftAppTenantId/],
  ])('rejects %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('.env.example documents every setting and is itself a valid configuration', () => {
    const example = dotenv.parse(fs.readFileSync(projectPath('.env.example')));
    expect(Object.keys(example).sort()).toEqual([...CONFIG_KEYS].sort());
    expect(() => loadConfig(example)).not.toThrow();
  });
});
