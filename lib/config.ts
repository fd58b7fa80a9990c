/**
 * Configuration from the environment (and a .env file in the working directory), validated
 * once at start. Every setting is documented in .env.example; names follow that file.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { projectPath, resolveUserPath } from './paths';
import { isValidTimeZone } from './timeZone';
import { jobsConfigFrom, jobsEnvSchema, type JobsConfig } from './jobsConfig';
import { mailConfigFrom, mailEnvSchema, unsubscribePageFrom, type MailConfig } from './mailConfig';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

/** A comma-separated list; each entry checked by `valid`, which returns why an entry is refused. */
const list = (valid: (entry: string) => string | undefined) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        const entries = (v ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean);
        for (const entry of entries) {
          const problem = valid(entry);
          if (problem) ctx.addIssue({ code: 'custom', message: `${entry}: ${problem}` });
        }
        return entries;
      }),
  );

/** `loopback`, an IP address, or a CIDR range such as 10.0.0.0/8 or fd00::/8. */
function proxyProblem(entry: string): string | undefined {
  if (entry === 'loopback') return undefined;
  const [address, bits, extra] = entry.split('/');
  const family = net.isIP(address);
  if (!family || extra !== undefined) return 'is not "loopback", an IP address or a CIDR range';
  if (bits === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? undefined : `the prefix length must be 0-${max}`;
}

/** An http(s) origin such as http://devbox:3978 (scheme, host and port; no path). */
function originProblem(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'is not a URL';
  }
  if (!/^https?:$/.test(url.protocol)) return 'must be an http(s) URL';
  return entry.replace(/\/+$/, '') === url.origin ? undefined : `must be an origin only, like ${url.origin}`;
}

const timeZone = z
  .string()
  .refine(isValidTimeZone, { message: 'is not an IANA time zone (e.g. Europe/London)' });

/** A PostgreSQL connection URL (postgres:// or postgresql://, as libpq and `pg` read them). */
function databaseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (postgres://user:password@host:5432/database)';
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) return 'must be a postgres:// or postgresql:// URL';
  if (!url.pathname || url.pathname === '/') return 'must name the database (postgres://host/database)';
  return undefined;
}

const envSchema = z.object({
  RETAIN_DB: z.preprocess(emptyToUndefined, z.string().default('var/retain.db')),
  RETAIN_DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        const problem = v === undefined ? undefined : databaseUrlProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  ),
  RETAIN_MODELS_DIR: z.preprocess(emptyToUndefined, z.string().default('var/models')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3978)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  RETAIN_LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  RETAIN_IMPORT_TIMEZONE: z.preprocess(emptyToUndefined, timeZone.default('Europe/London')),
  RETAIN_DEMO_DATA: z.preprocess(emptyToUndefined, z.string().optional()),
  RETAIN_RATE_BURST: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(20)),
  RETAIN_RATE_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().positive().default(2)),
  RETAIN_CLIENT_RATE_BURST: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(20)),
  RETAIN_CLIENT_RATE_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().positive().default(0.2)),
  RETAIN_TRUSTED_PROXY: list(proxyProblem),
  RETAIN_LOCAL_ALLOWED_ORIGINS: list(originProblem),
  RETAIN_LOCAL_SERVICE_URLS: list(originProblem),
  RETAIN_FAQ_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  RETAIN_WEBCHAT: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  RETAIN_WEBCHAT_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  ),
  RETAIN_WEBCHAT_MAX_MEMORY_MB: z.preprocess(
    emptyToUndefined,
    z.coerce.number().min(1).max(65536).default(64),
  ),
  RETAIN_TF_BACKEND: z.preprocess(emptyToUndefined, z.enum(['tensorflow', 'wasm', 'cpu']).optional()),
  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: z.preprocess(
    emptyToUndefined,
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  ),
  MicrosoftAppTenantId: optionalString,
  RETAIN_PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), { message: 'must be an http(s) URL' })
      .optional(),
  ),
  RETAIN_BOT_OPENID_METADATA_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  // The scheduled jobs' and the sender's settings (lib/jobsConfig.ts).
  ...jobsEnvSchema.shape,
  // The email channel (lib/mailConfig.ts).
  ...mailEnvSchema.shape,
});

/** Every setting retain reads; .env.example documents each one. */
export const CONFIG_KEYS = Object.keys(envSchema.shape);

export interface Config {
  dbFile: string;
  /**
   * A PostgreSQL database shared by several instances (RETAIN_DATABASE_URL). When set, every
   * command and the server use it, and no SQLite file is created or read.
   */
  databaseUrl?: string;
  modelsDir: string;
  port: number;
  host: string;
  logLevel: string;
  importTimeZone: string;
  demoDataFile: string;
  /** Contacts and consent imported with the bundled demo orders (none with RETAIN_DEMO_DATA). */
  demoCustomersFile?: string;
  tfBackend?: 'tensorflow' | 'wasm' | 'cpu';
  /** Answers about returns, refunds and delivery (JSON, see data/faq/default.json). */
  faqFile: string;
  jobs: JobsConfig;
  /** The email channel; undefined when RETAIN_SMTP_URL is not set (email is off). */
  mail?: MailConfig;
  /** The unsubscribe page (bot/unsubscribe.ts); served whenever RETAIN_UNSUBSCRIBE_SECRET is set. */
  unsubscribe?: { secret: string; shopName: string };
  /** Public address of the bot (the reverse proxy): report charts are linked from here. */
  publicUrl?: string;
  /** The browser chat page and its local Direct Line endpoint (docs/webchat.md). */
  webChat: {
    setting: 'auto' | 'on' | 'off';
    secret?: string;
    /** What all open web chat conversations may hold in memory, in bytes of JSON. */
    maxMemoryBytes: number;
  };
  /** Per-conversation limit on incoming activities: a burst, then a sustained rate. */
  rateLimit: { burst: number; perSecond: number };
  /** Per client address limit on what costs before authentication: refused requests, new web chats. */
  clientRateLimit: { burst: number; perSecond: number };
  /** Reverse proxies whose X-Forwarded-For names the client: "loopback", addresses, CIDR ranges. */
  trustedProxies: string[];
  /** Local mode (no credentials) only: who besides this machine may drive the bot. */
  local: {
    /** Browser origins allowed besides http://localhost etc.; their host names pass the Host check. */
    allowedOrigins: string[];
    /** Origins of service URLs the bot may reply to besides loopback ones. */
    serviceUrlOrigins: string[];
  };
  bot: {
    appId?: string;
    appPassword?: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    tenantId?: string;
    /** Where the keys that sign channels' tokens are published (default: public Azure's). */
    openIdMetadataUrl?: string;
  };
}

export class ConfigError extends Error {
  readonly exitCode = 2;
}

/** Reads .env (if present) without overriding variables already set in the environment. */
export function loadDotEnv(file = path.resolve(process.cwd(), '.env')): void {
  if (fs.existsSync(file)) dotenv.config({ path: file, quiet: true });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.MicrosoftAppPassword && !e.MicrosoftAppId) {
    throw new ConfigError('invalid configuration: MicrosoftAppPassword is set but MicrosoftAppId is not');
  }
  if (e.MicrosoftAppType === 'SingleTenant' && e.MicrosoftAppId && !e.MicrosoftAppTenantId) {
    throw new ConfigError('invalid configuration: MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId');
  }
  const publicUrl = e.RETAIN_PUBLIC_URL?.replace(/\/+$/, '');
  const mail = mailConfigFrom(
    e,
    publicUrl,
    e.RETAIN_MAIL_TEMPLATES
      ? resolveUserPath(e.RETAIN_MAIL_TEMPLATES)
      : projectPath('data', 'templates', 'email'),
  );
  if (mail.problems.length) {
    throw new ConfigError(`invalid configuration (see docs/email.md):\n  ${mail.problems.join('\n  ')}`);
  }
  const jobs = jobsConfigFrom(e);
  jobs.channels.email = mail.config !== undefined;
  return {
    dbFile: resolveUserPath(e.RETAIN_DB),
    databaseUrl: e.RETAIN_DATABASE_URL,
    modelsDir: resolveUserPath(e.RETAIN_MODELS_DIR),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.RETAIN_LOG_LEVEL,
    importTimeZone: e.RETAIN_IMPORT_TIMEZONE,
    demoDataFile: e.RETAIN_DEMO_DATA
      ? resolveUserPath(e.RETAIN_DEMO_DATA)
      : projectPath('data', 'demo', 'online-retail-sample.csv.gz'),
    demoCustomersFile: e.RETAIN_DEMO_DATA ? undefined : projectPath('data', 'demo', 'customers.csv'),
    tfBackend: e.RETAIN_TF_BACKEND,
    faqFile: e.RETAIN_FAQ_FILE
      ? resolveUserPath(e.RETAIN_FAQ_FILE)
      : projectPath('data', 'faq', 'default.json'),
    jobs,
    mail: mail.config,
    unsubscribe: unsubscribePageFrom(e),
    publicUrl,
    webChat: {
      setting: e.RETAIN_WEBCHAT,
      secret: e.RETAIN_WEBCHAT_SECRET,
      maxMemoryBytes: Math.round(e.RETAIN_WEBCHAT_MAX_MEMORY_MB * 1024 * 1024),
    },
    rateLimit: { burst: e.RETAIN_RATE_BURST, perSecond: e.RETAIN_RATE_PER_SECOND },
    clientRateLimit: { burst: e.RETAIN_CLIENT_RATE_BURST, perSecond: e.RETAIN_CLIENT_RATE_PER_SECOND },
    trustedProxies: e.RETAIN_TRUSTED_PROXY,
    local: {
      allowedOrigins: e.RETAIN_LOCAL_ALLOWED_ORIGINS.map((o) => new URL(o).origin),
      serviceUrlOrigins: e.RETAIN_LOCAL_SERVICE_URLS.map((o) => new URL(o).origin),
    },
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
      openIdMetadataUrl: e.RETAIN_BOT_OPENID_METADATA_URL,
    },
  };
}
