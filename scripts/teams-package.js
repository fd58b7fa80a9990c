#!/usr/bin/env node
/**
 * Builds the Microsoft Teams app package (appPackage/build/retain-teams.zip) to sideload or
 * upload: manifest.json with this deployment's values filled in, a 192x192 colour icon and a
 * 32x32 outline icon rendered from the SVGs in appPackage/icons with resvg.
 *
 *   MicrosoftAppId=<bot app id> TEAMS_WEBSITE_URL=https://shop.example.com npm run teams:package
 *
 * Values come from the environment or .env (the same file the bot reads):
 *   MicrosoftAppId        required: the Azure Bot's Microsoft App ID (a GUID)
 *   TEAMS_APP_ID          the Teams app's own GUID; default: derived from MicrosoftAppId, so
 *                         rebuilding the package updates the same app instead of adding another
 *   TEAMS_APP_VERSION     default: the version in package.json
 *   TEAMS_DEVELOPER_NAME  default: retain
 *   TEAMS_WEBSITE_URL     https URL of the shop or its retain page; default: RETAIN_PUBLIC_URL
 *   TEAMS_PRIVACY_URL     default: TEAMS_WEBSITE_URL + /privacy
 *   TEAMS_TERMS_URL       default: TEAMS_WEBSITE_URL + /terms
 * Options: --out FILE (default appPackage/build/retain-teams.zip).
 */
/* global __dirname */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { URL } = require('node:url');
const { Resvg } = require('@resvg/resvg-js');
const JSZip = require('jszip');

const ROOT = path.resolve(__dirname, '..');
const APP_DIR = path.join(ROOT, 'appPackage');
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const ICONS = [
  { file: 'color.png', svg: 'color.svg', size: 192 },
  { file: 'outline.png', svg: 'outline.svg', size: 32 },
];

class PackageError extends Error {}

/** A name-based (version 5 style) UUID: the same bot id always gives the same Teams app id. */
function derivedAppId(botId) {
  const h = crypto.createHash('sha1').update(`retain-teams-app:${botId.toLowerCase()}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function httpsUrl(name, value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new PackageError(`${name} must be an https:// URL, got '${value}'`);
  }
  if (url.protocol !== 'https:') throw new PackageError(`${name} must be an https:// URL, got '${value}'`);
  return url.href.replace(/\/$/, '');
}

/** The values for the manifest's {{placeholders}}, checked, with defaults applied. */
function manifestValues(env) {
  const botId = (env.MicrosoftAppId || '').trim();
  if (!botId) throw new PackageError('MicrosoftAppId is not set: the Teams app needs the Azure Bot app id');
  if (!GUID.test(botId)) throw new PackageError(`MicrosoftAppId must be a GUID, got '${botId}'`);
  const appId = (env.TEAMS_APP_ID || '').trim() || derivedAppId(botId);
  if (!GUID.test(appId)) throw new PackageError(`TEAMS_APP_ID must be a GUID, got '${appId}'`);
  const site = (env.TEAMS_WEBSITE_URL || env.RETAIN_PUBLIC_URL || '').trim();
  if (!site)
    throw new PackageError('set TEAMS_WEBSITE_URL (or RETAIN_PUBLIC_URL): Teams requires a website URL');
  const website = httpsUrl('TEAMS_WEBSITE_URL', site);
  const version = (env.TEAMS_APP_VERSION || require(path.join(ROOT, 'package.json')).version).trim();
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new PackageError(`TEAMS_APP_VERSION must be like 1.2.3, got '${version}'`);
  const developer = (env.TEAMS_DEVELOPER_NAME || 'retain').trim();
  if (developer.length > 32)
    throw new PackageError('TEAMS_DEVELOPER_NAME is longer than Teams allows (32 characters)');
  return {
    MicrosoftAppId: botId,
    TEAMS_APP_ID: appId,
    TEAMS_APP_VERSION: version,
    TEAMS_DEVELOPER_NAME: developer,
    TEAMS_WEBSITE_URL: website,
    TEAMS_PRIVACY_URL: httpsUrl(
      'TEAMS_PRIVACY_URL',
      (env.TEAMS_PRIVACY_URL || '').trim() || `${website}/privacy`,
    ),
    TEAMS_TERMS_URL: httpsUrl('TEAMS_TERMS_URL', (env.TEAMS_TERMS_URL || '').trim() || `${website}/terms`),
  };
}

/** manifest.json with every {{NAME}} replaced (as JSON string content, so values cannot break it). */
function fillManifest(template, values) {
  const text = template.replace(/\{\{(\w+)\}\}/g, (whole, name) => {
    if (!(name in values)) throw new PackageError(`manifest.json uses {{${name}}}, which has no value`);
    return JSON.stringify(values[name]).slice(1, -1);
  });
  return JSON.parse(text);
}

/** Validates against the manifest's JSON schema when the schema package is installed (dev). */
function schemaProblems(manifest) {
  let schema;
  let Ajv;
  let addFormats;
  try {
    const dir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
    schema = JSON.parse(
      fs.readFileSync(
        path.join(
          dir,
          'build',
          'json-schemas',
          'teams',
          `v${manifest.manifestVersion}`,
          'MicrosoftTeams.schema.json',
        ),
        'utf8',
      ),
    );
    Ajv = require('ajv-draft-04');
    addFormats = require('ajv-formats');
  } catch {
    return undefined;
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (validate(manifest)) return [];
  return validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
}

function renderIcons() {
  return ICONS.map((icon) => {
    const svg = fs.readFileSync(path.join(APP_DIR, 'icons', icon.svg), 'utf8');
    const image = new Resvg(svg, { fitTo: { mode: 'width', value: icon.size } }).render();
    return { name: icon.file, png: image.asPng(), width: image.width, height: image.height };
  });
}

/** Builds the zip; returns where it went and what it holds. */
async function buildTeamsPackage({
  env = process.env,
  out = path.join(APP_DIR, 'build', 'retain-teams.zip'),
} = {}) {
  const template = fs.readFileSync(path.join(APP_DIR, 'manifest.json'), 'utf8');
  const manifest = fillManifest(template, manifestValues(env));
  const problems = schemaProblems(manifest);
  if (problems && problems.length)
    throw new PackageError(`manifest.json does not match its schema:\n  ${problems.join('\n  ')}`);
  const icons = renderIcons();
  const zip = new JSZip();
  // Fixed dates: the same inputs give the same bytes.
  const date = new Date('2020-01-01T00:00:00Z');
  zip.file('manifest.json', JSON.stringify(manifest, null, 2) + '\n', { date });
  for (const icon of icons) zip.file(icon.name, icon.png, { date });
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, bytes);
  return {
    out,
    manifest,
    icons: icons.map(({ name, width, height }) => ({ name, width, height })),
    validated: !!problems,
  };
}

function loadDotEnv() {
  const file = path.join(process.cwd(), '.env');
  if (fs.existsSync(file)) require('dotenv').config({ path: file, quiet: true });
}

async function main(argv) {
  const i = argv.indexOf('--out');
  const out = i >= 0 ? path.resolve(argv[i + 1] || '') : undefined;
  loadDotEnv();
  const result = await buildTeamsPackage(out ? { out } : {});
  console.log(
    `${path.relative(process.cwd(), result.out)}: Teams app ${result.manifest.id} v${result.manifest.version} ` +
      `for bot ${result.manifest.bots[0].botId} (manifest ${result.manifest.manifestVersion}` +
      `${result.validated ? ', schema-valid' : ', schema not checked: dev dependencies not installed'})`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof PackageError ? `teams:package: ${err.message}` : err);
    process.exit(err instanceof PackageError ? 2 : 1);
  });
}

module.exports = { buildTeamsPackage, derivedAppId, PackageError };
