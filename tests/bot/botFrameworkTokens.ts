/**
 * A local stand-in for the Bot Framework's OpenID metadata (our own signing key), and tokens
 * signed as the channel service signs them (RS256), so that tests can send valid, forged and
 * oddly shaped tokens to a bot with credentials configured.
 */
import crypto from 'node:crypto';
import { startHttpServer, type StandIn } from '../support/standIns';

export const APP_ID = '00000000-0000-0000-0000-00000000b07a';
const CHANNEL_ISSUER = 'https://api.botframework.com';
/** The issuer of tokens the Bot Framework Emulator gets from Entra ID (v1 tokens). */
export const EMULATOR_ISSUER = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';

export interface SigningService extends StandIn {
  /** Where the bot reads the metadata (RETAIN_BOT_OPENID_METADATA_URL). */
  metadataUrl: string;
  /** A signed `Authorization` header value with these claims over the defaults. */
  token(claims: Record<string, unknown>, options?: { key?: crypto.KeyObject; kid?: string }): string;
  /** From now on the stand-in answers every request with this status (e.g. 500). */
  failWith(status: number | undefined): void;
}

export async function startSigningService(serviceUrl: () => string): Promise<SigningService> {
  const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  let failure: number | undefined;
  let url = '';
  const server = await startHttpServer((req, _body, res) => {
    if (failure) {
      res.writeHead(failure, { 'content-type': 'text/plain' });
      res.end('stand-in failure');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/openid') {
      res.end(JSON.stringify({ issuer: CHANNEL_ISSUER, jwks_uri: `${url}/keys` }));
    } else {
      const jwk = signing.publicKey.export({ format: 'jwk' });
      res.end(
        JSON.stringify({
          keys: [{ ...jwk, kid: 'test-key', use: 'sig', endorsements: ['webchat', 'msteams', 'slack'] }],
        }),
      );
    }
  });
  url = server.url;
  return {
    ...server,
    metadataUrl: `${server.url}/openid`,
    failWith: (status) => void (failure = status),
    token(claims, options = {}) {
      const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const head = b64({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? 'test-key' });
      const body = b64({
        iss: CHANNEL_ISSUER,
        aud: APP_ID,
        nbf: now - 60,
        exp: now + 3600,
        serviceurl: serviceUrl(),
        ...claims,
      });
      const data = Buffer.from(`${head}.${body}`);
      const signature = crypto.sign('RSA-SHA256', data, options.key ?? signing.privateKey);
      return `Bearer ${head}.${body}.${signature.toString('base64url')}`;
    },
  };
}
