// A real OpenID provider for the sign-in tests: panva's oidc-provider (OpenID Certified, from npm),
// configured here and nothing more. argv[2] is a JSON file: the issuer, the listening socket's file
// descriptor, the clients, the signing keys (the first signs; all are published) and the accounts file,
// read again at every sign-in so a test can change someone's groups. Says "listening" when it serves.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  cookies: { keys: ['sign-in-tests-only'] },
  async findAccount(_ctx, id) {
    const account = JSON.parse(readFileSync(config.accountsFile, 'utf8'))[id];
    return account && { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'groups'],
  },
  // The ID token carries the claims of the scopes asked for, as Entra ID and most providers send them;
  // "conform": only userinfo has them (OpenID Connect's default, and some providers').
  conformIdTokenClaims: Boolean(config.conform),
  pkce: { required: () => true },
  ttl: {
    IdToken: config.idTokenSeconds,
    AccessToken: 600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});

provider.listen({ fd: config.fd }, () => {
  console.log(`listening ${config.issuer}`);
});
