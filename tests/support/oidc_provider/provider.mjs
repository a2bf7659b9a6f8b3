// A real OpenID Connect provider for the sign-in tests: panva/node-oidc-provider with its
// development login and consent pages. Configured by environment:
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI,
//   OIDC_ACCOUNTS = {"<login>": {"email": ..., "email_verified": true, "name": ...}, ...}
// Prints "ready <issuer>" on stdout once it listens on 127.0.0.1.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['groundswell-test-provider-cookie-key'] },
  ttl: { Session: 60, Interaction: 300, Grant: 300, AccessToken: 300, IdToken: 300, AuthorizationCode: 60 },
});
provider.on('server_error', (ctx, err) => { console.error('server_error', err); });

provider.listen(port, '127.0.0.1', () => { console.log(`ready ${issuer}`); });
