/**
 * `npm run teams:package` as a user runs it: the zip holds a manifest that validates against the
 * Teams JSON schema (shipped offline in @microsoft/app-manifest), icons of the sizes Teams
 * demands, and commands that the bot's own intent model understands.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { projectPath } from '../../lib/paths';
import { classifyIntent } from '../../nlp/intents/classifier';
import { loadOrTrainIntentModel } from '../../nlp/nlu';
import { tempDir } from '../support/files';
import { decodePng } from '../dialogs/reportsPng';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv-draft-04') as typeof import('ajv').default;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addFormats = require('ajv-formats') as (ajv: unknown) => void;

const BOT_ID = '0f3c9a52-6f1e-4c1b-9a77-2d5e8c4b1a10';
const script = projectPath('scripts', 'teams-package.js');

function run(env: NodeJS.ProcessEnv, args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // Only what the test sets: a developer's own MicrosoftAppId or .env must not leak in.
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function schemaFor(manifestVersion: string): object {
  const dir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(
    dir,
    'build',
    'json-schemas',
    'teams',
    `v${manifestVersion}`,
    'MicrosoftTeams.schema.json',
  );
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function validator(manifestVersion: string) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schemaFor(manifestVersion));
}

describe('Teams app package', () => {
  const tmp = tempDir();
  const zipFile = path.join(tmp.dir, 'retain-teams.zip');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifest JSON
  let manifest: any;
  let zip: JSZip;

  beforeAll(async () => {
    const result = await run(
      { MicrosoftAppId: BOT_ID, TEAMS_WEBSITE_URL: 'https://shop.example.com/' },
      ['--out', zipFile],
      tmp.dir,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('schema-valid');
    zip = await JSZip.loadAsync(fs.readFileSync(zipFile));
    manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
  });
  afterAll(() => tmp.cleanup());

  it('holds exactly manifest.json and the two icons at the top level', () => {
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('has a manifest that validates against the Teams schema of its version', () => {
    const validate = validator(manifest.manifestVersion);
    expect(validate(manifest) ? [] : validate.errors).toEqual([]);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
  });

  it('the schema check itself rejects a broken manifest', () => {
    const validate = validator(manifest.manifestVersion);
    const broken = structuredClone(manifest);
    broken.bots[0].scopes = ['everywhere'];
    delete broken.developer.privacyUrl;
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/bots/0/scopes/0', '/developer']),
    );
  });

  it('fills in this deployment: bot id, a stable app id, https links', () => {
    expect(manifest.bots[0].botId).toBe(BOT_ID);
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team']);
    expect(manifest.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(manifest.id).not.toBe(BOT_ID);
    expect(manifest.developer).toMatchObject({
      websiteUrl: 'https://shop.example.com',
      privacyUrl: 'https://shop.example.com/privacy',
      termsOfUseUrl: 'https://shop.example.com/terms',
    });
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{/);
  });

  it('ships a 192x192 colour icon and a 32x32 outline icon that is white on transparent', async () => {
    const color = decodePng(await zip.file('color.png')!.async('nodebuffer'));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng(await zip.file('outline.png')!.async('nodebuffer'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let opaque = 0;
    for (let i = 0; i < 32 * 32; i++) {
      const [r, g, b, a] = outline.pixels.subarray(i * 4, i * 4 + 4);
      if (a === 0) continue;
      opaque++;
      // Anti-aliased edges are white with partial alpha; resvg stores premultiplied-free RGBA.
      expect(Math.min(r, g, b)).toBeGreaterThan(200);
    }
    expect(opaque).toBeGreaterThan(50);
    expect(outline.pixels[3]).toBe(0); // the corner is transparent
  });

  it('offers the marketer commands, each understood by the bot as the intended request', async () => {
    const expected: Record<string, string> = {
      'segment overview': 'segment_overview',
      'churn report': 'churn_report',
      'at-risk customers': 'at_risk_list',
      'look up customer': 'customer_lookup',
      'CLV report': 'clv_report',
      'top products': 'product_insight',
      'create a win-back campaign': 'create_campaign',
      'campaign status': 'campaign_status',
      'model status': 'model_status',
      help: 'help',
    };
    const commands = manifest.bots[0].commandLists.flatMap(
      (l: { commands: unknown[] }) => l.commands,
    ) as Array<{
      title: string;
      description: string;
    }>;
    expect(commands.map((c) => c.title)).toEqual(Object.keys(expected));
    // Older Teams clients cut titles at 32 and descriptions at 128 characters.
    for (const c of commands) {
      expect(c.title.length).toBeLessThanOrEqual(32);
      expect(c.description.length).toBeLessThanOrEqual(128);
    }
    // The intent model the bot starts with (the shipped one, unless its corpus changed since).
    const model = await loadOrTrainIntentModel(path.join(tmp.dir, 'models'));
    const understood = Object.fromEntries(
      commands.map((c) => [c.title, classifyIntent(model, c.title).intent]),
    );
    expect(understood).toEqual(expected);
  }, 300_000);

  it('refuses to build without the bot id, saying what is missing', async () => {
    const result = await run(
      { TEAMS_WEBSITE_URL: 'https://shop.example.com' },
      ['--out', zipFile + '.x'],
      tmp.dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MicrosoftAppId is not set');
    expect(fs.existsSync(zipFile + '.x')).toBe(false);
  });

  it('refuses an http website (Teams requires https)', async () => {
    const result = await run(
      { MicrosoftAppId: BOT_ID, TEAMS_WEBSITE_URL: 'http://shop.example.com' },
      ['--out', zipFile + '.y'],
      tmp.dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TEAMS_WEBSITE_URL must be an https:// URL');
  });
});
