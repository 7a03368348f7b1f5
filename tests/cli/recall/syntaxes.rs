//! The syntaxes code and config hold credentials in, with what each can carry: a raw slot
//! that cannot hold some bytes, or a quoted literal that escapes its quote with `\`.
//! Templates: `{N}` SNAKE_UPPER, `{n}` snake_lower, `{c}` camelCase, `{P}` PascalCase,
//! `{k}` kebab-case of the name; `{V}` the value as written; `{PORT}` a random port.

/// How a syntax carries a value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Slot {
    /// Written as it is; the bytes listed cannot stand in it.
    Raw(&'static [u8]),
    /// A literal quoted by the byte given, `\` escaping it and itself; the other bytes listed
    /// cannot stand in it unescaped (interpolation: `$`, `#`).
    Escaped(u8, &'static [u8]),
}

/// A bare config value (`.env`, `.properties`): no whitespace, quote, escape or expansion.
const BARE: &[u8] = b" \t\"'`\\#$";
/// A plain YAML scalar.
const YAML: &[u8] = b" \t\"'`\\#$:,[]{}&*!|>%@";
/// A bare shell word.
const SHELL: &[u8] = b" \t\"'`\\$;&|<>()*?[]{}#~";
/// URL userinfo or a query value without percent-encoding: unreserved and `!*` only.
const URL: &[u8] = b" \t\"#$%&'()+,/:;<=>?@[\\]^`{|}";
/// An Authorization header's token68 alphabet: letters, digits and `-._~+/=`.
const TOKEN68: &[u8] = b" \t!\"#$%&'()*,:;<=>?@[\\]^`{|}";
/// XML text and attributes without entities.
const XML: &[u8] = b" \t&<>\"'";

/// A syntax: its name, how it carries a value, whether it holds tokens only (no person's
/// password goes there), its template, and the name of the file it stands in (`None`: a file
/// named as config files are, without an extension).
pub(super) struct Syntax {
    pub name: &'static str,
    pub slot: Slot,
    pub token_only: bool,
    pub template: &'static str,
    pub file: Option<&'static str>,
}

const fn s(name: &'static str, slot: Slot, template: &'static str) -> Syntax {
    Syntax {
        name,
        slot,
        token_only: false,
        template,
        file: None,
    }
}

const fn token(name: &'static str, slot: Slot, template: &'static str) -> Syntax {
    Syntax {
        name,
        slot,
        token_only: true,
        template,
        file: None,
    }
}

const fn in_file(syntax: Syntax, file: &'static str) -> Syntax {
    Syntax {
        file: Some(file),
        ..syntax
    }
}

use Slot::{Escaped, Raw};

pub(super) const SYNTAXES: &[Syntax] = &[
    s("dotenv", Raw(BARE), "{N}={V}\n"),
    s("shell export", Escaped(b'"', b"$`"), "export {N}=\"{V}\"\n"),
    s("yaml", Raw(YAML), "service:\n  {n}: {V}\n"),
    s("yaml quoted", Raw(b"'"), "{c}: '{V}'\n"),
    s("json", Escaped(b'"', b""), "{\n  \"name\": \"app\",\n  \"{c}\": \"{V}\"\n}\n"),
    s("toml", Escaped(b'"', b""), "[service]\n{n} = \"{V}\"\n"),
    s("ini", Raw(b" \t\"'`\\#$;"), "[main]\n{n} = {V}\n"),
    s("properties", Raw(BARE), "app.{c}={V}\n"),
    s("php variable", Escaped(b'"', b"$"), "<?php\n${N} = \"{V}\";\n"),
    s("php define", Escaped(b'\'', b""), "<?php\ndefine('{N}', '{V}');\n"),
    s("php array", Escaped(b'\'', b""), "return [\n    '{n}' => '{V}',\n];\n"),
    s("perl scalar", Escaped(b'\'', b""), "my ${n} = '{V}';\n"),
    s("perl hash", Escaped(b'"', b"$@"), "my %conf = ( {n} => \"{V}\" );\n"),
    s("ruby symbol hash", Escaped(b'"', b"#"), "CONFIG = { {n}: \"{V}\" }\n"),
    s("ruby rocket hash", Escaped(b'"', b"#"), "opts = { \"{n}\" => \"{V}\" }\n"),
    s("ruby ivar", Escaped(b'\'', b""), "@{n} = '{V}'\n"),
    s("ruby call keyword", Escaped(b'\'', b""), "Api.configure({n}: '{V}')\n"),
    s("ruby config member", Escaped(b'"', b"#"), "config.{n} = \"{V}\"\n"),
    s("python kwarg", Escaped(b'"', b""), "client = Client({n}=\"{V}\", timeout=5)\n"),
    s("python dict", Escaped(b'"', b""), "SETTINGS = {\"{n}\": \"{V}\"}\n"),
    s("python constant", Escaped(b'\'', b""), "{N} = '{V}'\n"),
    s("python bytes", Escaped(b'"', b""), "{N} = b\"{V}\"\n"),
    s("python setter", Escaped(b'"', b""), "conn.set_{n}(\"{V}\")\n"),
    s("go short var", Escaped(b'"', b""), "\t{c} := \"{V}\"\n"),
    s("go setenv", Escaped(b'"', b""), "\tos.Setenv(\"{N}\", \"{V}\")\n"),
    s("go struct", Escaped(b'"', b""), "cfg := Config{\n\t{P}: \"{V}\",\n}\n"),
    s("go []byte", Escaped(b'"', b""), "var {c} = []byte(\"{V}\")\n"),
    s("rust const", Escaped(b'"', b""), "const {N}: &str = \"{V}\";\n"),
    s("rust String::from", Escaped(b'"', b""), "let {n} = String::from(\"{V}\");\n"),
    s("java setter", Escaped(b'"', b""), "ds.set{P}(\"{V}\");\n"),
    s("java constant", Escaped(b'"', b""), "private static final String {N} = \"{V}\";\n"),
    s("java put", Escaped(b'"', b""), "props.put(\"{c}\", \"{V}\");\n"),
    s(
        "csharp dictionary",
        Escaped(b'"', b""),
        "var cfg = new Dictionary<string, string> {\n    { \"{P}\", \"{V}\" },\n};\n",
    ),
    s("csharp property", Escaped(b'"', b""), "public string {P} { get; set; } = \"{V}\";\n"),
    s(
        "csharp static readonly",
        Escaped(b'"', b""),
        "private static readonly string {P} = \"{V}\";\n",
    ),
    s("cpp brace init", Escaped(b'"', b""), "static const std::string {P}{\"{V}\"};\n"),
    s("c define", Escaped(b'"', b""), "#define {N} \"{V}\"\n"),
    s("kotlin", Escaped(b'"', b"$"), "val {c} = \"{V}\"\n"),
    s("kotlin const val", Escaped(b'"', b"$"), "const val {N} = \"{V}\"\n"),
    s("swift", Escaped(b'"', b""), "let {c}: String = \"{V}\"\n"),
    s("js object", Escaped(b'\'', b""), "const config = { {c}: '{V}' };\n"),
    s("js env", Escaped(b'`', b"$"), "process.env.{N} = `{V}`;\n"),
    s("r arrow", Escaped(b'"', b""), "{n} <- \"{V}\"\n"),
    s("scala arrow", Escaped(b'"', b""), "Map(\"{n}\" -> \"{V}\")\n"),
    s("elixir keyword", Escaped(b'"', b"#"), "config :app, {n}: \"{V}\"\n"),
    s("lua local", Escaped(b'"', b""), "local {n} = \"{V}\"\n"),
    s("powershell env", Raw(b"\"$`"), "$env:{N} = \"{V}\"\n"),
    s("batch set", Raw(b" \t\"%^&|<>!"), "set {N}={V}\n"),
    s("makefile", Raw(b" \t$#\\"), "{N} ?= {V}\n"),
    s("dockerfile env", Raw(b" \t\"'`\\$"), "ENV {N}={V}\n"),
    s("systemd", Raw(b" \t\"\\%$"), "Environment=\"{N}={V}\"\n"),
    s("terraform", Escaped(b'"', b"$%"), "  {n} = \"{V}\"\n"),
    s(
        "xml appsettings",
        Raw(XML),
        "<appSettings>\n  <add key=\"{P}\" value=\"{V}\" />\n</appSettings>\n",
    ),
    s("xml element", Raw(XML), "<config>\n  <{c}>{V}</{c}>\n</config>\n"),
    s("xml attribute", Raw(XML), "<datasource host=\"db\" {c}=\"{V}\" />\n"),
    s("cli long flag", Raw(SHELL), "deploy-tool --{k} {V} --verbose\n"),
    s("cli long flag equals", Raw(SHELL), "./run.sh --{k}={V}\n"),
    s("withCredentials", Escaped(b'"', b""), "client.withCredentials(\"deploy\", \"{V}\");\n"),
    s(
        "curl user",
        Raw(SHELL),
        "curl -sS -u deploy:{V} https://api.corp.internal/v1/items\n",
    ),
    token(
        "curl bearer",
        Raw(TOKEN68),
        "curl -H \"Authorization: Bearer {V}\" https://api.corp.internal/v1\n",
    ),
    token(
        "curl basic header",
        Raw(TOKEN68),
        "curl -H 'Authorization: Basic {V}' https://api.corp.internal/v1\n",
    ),
    token(
        "wget bearer header",
        Raw(TOKEN68),
        "wget --header=\"Authorization: Bearer {V}\" https://api.corp.internal/export\n",
    ),
    token(
        "nginx header",
        Raw(TOKEN68),
        "location /api/ {\n    proxy_set_header Authorization \"Bearer {V}\";\n}\n",
    ),
    token(
        "haproxy header",
        Raw(TOKEN68),
        "backend api\n    http-request set-header Authorization \"Bearer {V}\"\n",
    ),
    s("apache SetEnv", Raw(SHELL), "<VirtualHost *:443>\n  SetEnv {N} {V}\n</VirtualHost>\n"),
    s("redis.conf", Raw(BARE), "bind 127.0.0.1\nrequirepass {V}\n"),
    s(
        "log line",
        Raw(BARE),
        "2024-05-01T10:00:00Z INFO uploader: using {n}={V} for bucket backups\n",
    ),
    s("yaml block literal", Raw(b" \t"), "service:\n  {n}: |\n    {V}\n  port: 8080\n"),
    s("yaml block folded", Raw(b" \t"), "{n}: >-\n  {V}\nother: 1\n"),
    s(
        "escaped json in a string",
        Raw(b" \t\"\\"),
        "payload = \"{\\\"{c}\\\": \\\"{V}\\\"}\"\n",
    ),
    s("mysqldump -p quoted", Raw(b"'"), "mysqldump -u root -p'{V}' appdb > dump.sql\n"),
    s("mysql -p joined", Raw(SHELL), "mysql -h db.corp.internal -uapp -p{V} appdb\n"),
    s("docker login", Raw(SHELL), "docker login -u ci -p {V} registry.corp.internal\n"),
    s("cli --password", Raw(SHELL), "psql-wrapper --user app --password {V} --db app\n"),
    token("cli --token", Raw(SHELL), "vault-cli login --token {V}\n"),
    s("cli -p quoted, any tool", Raw(b"'"), "db-backup -u admin -p'{V}' --all-databases\n"),
    s("mariadb -p joined", Raw(SHELL), "mariadb -uapp -p{V} appdb\n"),
    s(
        "mysqldump continued lines",
        Raw(SHELL),
        "mysqldump \\\n  --host db.corp.internal \\\n  -u backup \\\n  -p{V} \\\n  appdb > dump.sql\n",
    ),
    s("sshpass -p", Raw(b"'"), "sshpass -p '{V}' ssh deploy@host.corp.internal\n"),
    s("redis-cli -a", Raw(SHELL), "redis-cli -h cache.corp.internal -a {V} ping\n"),
    s(
        "kubernetes env list",
        Escaped(b'"', b""),
        "env:\n  - name: LOG_LEVEL\n    value: debug\n  - name: {N}\n    value: \"{V}\"\n",
    ),
    s(
        "json name/value pairs",
        Escaped(b'"', b""),
        "[\n  {\n    \"name\": \"{N}\",\n    \"value\": \"{V}\"\n  }\n]\n",
    ),
    in_file(
        s("pgpass", Raw(b" \t:\\"), "db.corp.internal:{PORT}:appdb:app:{V}\n"),
        ".pgpass",
    ),
    s("netrc", Raw(b" \t\"'\\"), "machine api.corp.internal\n  login deploy\n  password {V}\n"),
    token("npmrc", Raw(BARE), "//npm.corp.internal/:_authToken={V}\n"),
    s("git-credentials", Raw(URL), "https://deploy:{V}@git.corp.internal\n"),
    s(
        "pip.conf",
        Raw(URL),
        "[global]\nindex-url = https://build:{V}@pypi.corp.internal/simple\n",
    ),
    s("url userinfo amqp", Raw(URL), "broker = amqp://worker:{V}@mq.corp.internal:5672/\n"),
    s("url userinfo redis", Raw(URL), "cache: redis://:{V}@cache.corp.internal:6379/0\n"),
    s("dsn without scheme", Raw(URL), "DATABASE=app:{V}@db.corp.internal:{PORT}/app\n"),
    s(
        "go mysql dsn",
        Raw(URL),
        "db, err := sql.Open(\"mysql\", \"app:{V}@tcp(db.corp.internal:3306)/app\")\n",
    ),
    token(
        "url query token",
        Raw(URL),
        "fetch(\"https://api.corp.internal/v2/report?format=csv&token={V}\")\n",
    ),
    token(
        "url query key",
        Raw(URL),
        "GET https://maps.corp.internal/geocode?q=Paris&key={V}\n",
    ),
    token(
        "url query sig",
        Raw(URL),
        "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig={V}\n",
    ),
    s(
        "jdbc query",
        Raw(URL),
        "url=jdbc:postgresql://db.corp.internal/app?user=app&password={V}\n",
    ),
    s(
        "jdbc semicolon",
        Raw(b" \t;{}\"'"),
        "jdbc:sqlserver://db.corp.internal:1433;databaseName=app;user=sa;password={V};\n",
    ),
    s(
        "ado connection string",
        Raw(b" \t;\"'"),
        "Server=db.corp.internal;Database=app;User Id=sa;Password={V};\n",
    ),
];

/// Things that look like secrets but are not: each must yield nothing. `{H40}`, `{H64}`,
/// `{UUID}`, `{B64}`, `{B64U}` and `{AN}` are fresh random values; the rest is literal.
pub(super) const LOOK_ALIKES: &[(&str, &str)] = &[
    ("ruby duration", "DEFAULT_RESET_TOKEN_EXPIRES_IN = 15.minutes\n"),
    ("ruby member", "secret_key_base = Rails.application.secret_key_base\n"),
    ("ruby predicate", "skip_secret_key_base = environment_specified?\n"),
    ("ruby interpolation", "url = \"postgres://#{db_user}:#{encoded_password}@#{host}/app\"\n"),
    ("identifier in provider context", "mandrill_settings.bound_health_check_url = nil\n"),
    ("message table", "BN_R_PRIVATE_KEY_TOO_LARGE:117:private key too large\nEVP_R_INVALID_SECRET_LENGTH:223:invalid secret length\nPROV_R_MISSING_PASSWORD:142:missing password\n"),
    ("python None", "password = None\napi_key = None\n"),
    ("null and nil", "token: null\nsecret = nil\nAPI_KEY = undefined\nuse_password: true\n"),
    ("jinja", "password: \"{{ vault_db_password }}\"\n"),
    ("printf template", "dsn = \"host=db password=%(password)s\"\n"),
    ("shell reference", "API_TOKEN=${API_TOKEN}\ncurl -u $CI_USER:$CI_PASSWORD https://x.corp.internal\n"),
    ("angle placeholder", "client_secret: <your-client-secret>\n"),
    ("call", "password = get_password(user)\ntoken = request.headers.get(\"X-Token\")\n"),
    ("env lookup", "secret = os.getenv(\"APP_SECRET\")\napiKey := os.Getenv(\"API_KEY\")\n"),
    ("path", "api_key_path = \"/etc/keys/api.key\"\nprivate_key_file: ./certs/server.key\n"),
    ("url without credentials", "token_url = \"https://auth.corp.internal/oauth/token\"\n"),
    ("numbers dates versions", "password_min_length = 12\ntoken_expiry = 2024-01-01\napi_key_version = 2.3.1\n"),
    ("member access", "passwordField = passwordInput.value\nself.password = form.password\n"),
    ("identifier value", "tokenizer = BertTokenizerFast\nsecret_manager = SecretManagerClient\n"),
    ("hash under hash name", "token_sha256 = \"{H64}\"\npassword_hash: {H64}\n"),
    ("checksum", "checksum: {H40}\nintegrity_digest = \"{H64}\"\n"),
    ("uuid under id name", "client_id = \"{UUID}\"\ntoken_id: {UUID}\n"),
    ("git commit", "commit: {H40}\nrevision = \"{H40}\"\n"),
    ("cli variable reference", "mysql -u root -p\"$DB_PASS\" app\ndocker login -u ci -p \"$CI_TOKEN\" reg.corp.internal\n"),
    ("setter with variable", "ds.setPassword(password);\nos.Setenv(\"TOKEN\", token)\n"),
    ("xml property reference", "<password>${db.password}</password>\n<add key=\"ApiSecret\" value=\"%API_SECRET%\" />\n"),
    ("url query placeholder", "https://api.corp.internal/v1?token=YOUR_TOKEN_HERE\n"),
    ("keyword words", "The password must be changed after first login.\nPass the token to the client.\n"),
    ("comparison", "if password == confirm_password:\n    pass\n"),
    ("kubernetes valueFrom and template", "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n  - name: API_TOKEN\n    value: ${API_TOKEN}\n  - name: SMTP_PASSWORD\n    value: \"{{ .Values.smtp.password }}\"\n"),
    ("-p as a port or a flag", "docker run -p 8080:80 app\nssh -p 2222 deploy@host.corp.internal\nmkdir -p 'build/output'\nmysql -u root -p appdb\n"),
    ("placeholder passwords", "DB_PASSWORD=changeme\nADMIN_PASSWORD=password\nSMTP_PASSWORD=<smtp password>\nREDIS_PASSWORD=xxx\nLDAP_PASSWORD=${LDAP_PASSWORD}\nMAIL_PASSWORD=example\nmysql -u root -pchangeme app\npassword: your_password\n"),
    ("typescript type alias", "export type AccountToken = Stripe_.V2.Core.AccountToken;\ntype ApiKey = Stripe.ApiKey;\nexport declare type SecretKey = Resources.Keys.SecretKey;\n"),
    ("typescript interface and declare", "interface ClientOptions {\n  apiKey: string;\n  authToken?: AuthTokenProvider;\n  password: string | undefined;\n}\ndeclare const secretKey: SecretKeyObject;\n"),
    ("qualified names", "token = Auth.Tokens.Default\napi_key = Settings.Secrets.ApiKey;\nconst secret = config.Secrets.SigningKey\n"),
    ("azure resource id", "keyVaultSecretId: /subscriptions/{UUID}/resourceGroups/prod-rg/providers/Microsoft.KeyVault/vaults/app-kv/secrets/api-key\nsecret = \"/Subscriptions/{UUID}/ResourceGroups/Prod/Providers/Microsoft.Web/sites/app\"\n"),
    ("arn without secret", "secret_arn = \"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf\"\ntoken_role = arn:aws:iam::123456789012:role/deploy\n"),
    ("pagination tokens", "{\n  \"items\": [],\n  \"nextPageToken\": \"{B64}\"\n}\ncontinuationToken: {B64}\nnext_token = \"{AN}\"\ncursor: {B64U}\nNextContinuationToken = '{B64}'\npage_token={AN}\n"),
    ("integrity and lockfiles", "\"integrity\": \"sha512-{B64}{B64}\"\nintegrity=sha384-{B64}\ngithub.com/a/b v1.2.3 h1:{B64}\n"),
    ("csrf tokens", "<input type=\"hidden\" name=\"authenticity_token\" value=\"{B64}\" />\n<input type='hidden' name='csrfmiddlewaretoken' value='{AN}'>\n<input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"{B64U}\" />\n<meta name=\"csrf-token\" content=\"{B64}\">\n_csrf: {AN}\ncsrf_token = \"{AN}\"\nxsrfToken: '{AN}'\n"),
    ("nonces", "<script nonce=\"{B64}\">init()</script>\noauth_nonce={AN}\n"),
    ("document ids in urls", "invite: https://docs.corp.internal/spreadsheets/d/{AN}/edit#gid=0\nreport_url = \"https://app.corp.internal/reports/{AN}/view\"\n"),
];
