"""Fake but realistic secrets, one per form that must never reach the store.

Every token is put together when the tests run, from a seeded random draw over the characters
each format uses, so that no literal in this file looks like a credential to a secret scanner or
to codespell, and no two runs of the suite differ.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass

_rng = random.Random(20261202)
UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"


def draw(n: int, alphabet: str = ALNUM) -> str:
    """``n`` characters of ``alphabet``, with a digit and a letter when the alphabet has both."""
    while True:
        text = "".join(_rng.choice(alphabet) for _ in range(n))
        digit = any(c.isdigit() for c in text) or not any(c.isdigit() for c in alphabet)
        letter = any(c.isalpha() for c in text) or not any(c.isalpha() for c in alphabet)
        if digit and letter:
            return text


@dataclass(frozen=True)
class Form:
    """One way a secret turns up in a notebook.

    Attributes:
        label: what it is.
        name: a variable it is assigned to in code (also used for params, tags, variables).
        text: how it is written: the secret in its usual surroundings (a URL, a PEM block...).
        parts: the sensitive pieces of ``text``: none of them may reach the store.
        shaped: recognisable by its shape alone, under any name (False: only under a
            secret-looking name such as ``password`` or ``*_secret_access_key``).
        source: the Python expression that builds it, when code writes it other than as one
            literal (``"ghp_" + "..."``); its value is then ``eval(source)``.
    """

    label: str
    name: str
    text: str
    parts: tuple[str, ...]
    shaped: bool = True
    source: str | None = None

    @property
    def code(self) -> str:
        """The line of Python that assigns it."""
        return f"{self.name} = {self.source or repr(self.text)}"


def _token(label: str, name: str, value: str, shaped: bool = True) -> Form:
    return Form(label, name, value, (value,), shaped)


def _pem(kind: str) -> tuple[str, tuple[str, ...]]:
    lines = [draw(64, B64) for _ in range(8)] + [draw(24, B64) + "=="]
    header = f"{kind} PRIVATE KEY".strip()
    block = f"-----BEGIN {header}-----\n" + "\n".join(lines) + f"\n-----END {header}-----\n"
    return block, tuple(lines)


def _b64url(value: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _build() -> list[Form]:
    forms = [
        _token("OpenAI project key", "openai_api_key", "sk-proj-" + draw(64, URLSAFE)),
        _token(
            "OpenAI legacy key",
            "openai_key",
            "sk-" + draw(20) + "".join(["T3Bl", "bkFJ"]) + draw(20),
        ),
        _token("OpenAI service account key", "svc_key", "sk-svcacct-" + draw(60, URLSAFE)),
        _token("Anthropic key", "anthropic_api_key", "sk-ant-api03-" + draw(93, URLSAFE) + "AA"),
        _token("Hugging Face token", "hf_token", "hf_" + draw(34, UPPER + LOWER)),
        _token("GitHub classic token", "gh_token", "ghp_" + draw(36)),
        _token("GitHub OAuth token", "gh_oauth", "gho_" + draw(36)),
        _token(
            "GitHub fine-grained token",
            "gh_pat",
            "github_pat_" + draw(22) + "_" + draw(59),
        ),
        _token("GitLab token", "gitlab_token", "glpat-" + draw(20, URLSAFE)),
        _token("GitLab runner token", "runner_token", "glrt-" + draw(20, URLSAFE)),
        _token("Google API key", "maps_key", "AIza" + draw(35, URLSAFE)),
        _token("Google OAuth token", "gcp_access", "ya29." + draw(120, URLSAFE)),
        _token("Stripe live secret key", "stripe_key", "sk_live_" + draw(24)),
        _token("Stripe restricted key", "stripe_restricted", "rk_live_" + draw(24)),
        _token("Stripe test key", "stripe_test", "sk_test_" + draw(32)),
        _token("Stripe webhook secret", "webhook_secret", "whsec_" + draw(32)),
        _token(
            "Slack bot token",
            "slack_bot",
            "xoxb-" + draw(12, DIGITS) + "-" + draw(13, DIGITS) + "-" + draw(24),
        ),
        _token(
            "Slack user token",
            "slack_user",
            "-".join(["xoxp", draw(12, DIGITS), draw(12, DIGITS), draw(13, DIGITS), draw(32, HEX)]),
        ),
        Form(
            "Slack webhook",
            "slack_webhook",
            "https://hooks.slack.com/services/T"
            + draw(8, UPPER + DIGITS)
            + "/B"
            + draw(10, UPPER + DIGITS)
            + "/"
            + (hook := draw(24)),
            (hook,),
        ),
        _token("AWS access key id", "aws_access_key_id", "AKIA" + draw(16, UPPER + DIGITS)),
        _token("AWS secret access key", "aws_secret_access_key", draw(40, B64), shaped=False),
        _token(
            "AWS session token",
            "aws_session_token",
            "IQoJb3JpZ2luX2Vj" + draw(300, B64) + "=",
            shaped=False,
        ),
        Form("RSA private key", "rsa_key", *_pem("RSA")),
        Form("OpenSSH private key", "ssh_key", *_pem("OPENSSH")),
        Form("PKCS#8 private key", "tls_key", *_pem("")),
        Form(
            "service account JSON",
            "service_account",
            json.dumps(
                {
                    "type": "service_account",
                    "private_key_id": (key_id := draw(40, HEX)),
                    "private_key": (sa := _pem(""))[0],
                    "client_email": "trainer@project.iam.gserviceaccount.com",
                }
            ),
            (key_id, *sa[1]),
        ),
        Form(
            "URL with access_token",
            "data_url",
            "https://api.example.com/v1/data?access_token=" + (t := draw(40, URLSAFE)) + "&page=2",
            (t,),
        ),
        Form(
            "presigned S3 URL",
            "presigned",
            "https://bucket.s3.amazonaws.com/train.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential="
            + (akid := "AKIA" + draw(16, UPPER + DIGITS))
            + "%2F20261202%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature="
            + (sig := draw(64, HEX)),
            (akid, sig),
        ),
        Form(
            "Azure SAS URL",
            "sas_url",
            "https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sp=r&sig="
            + (sas := draw(30) + "%2B" + draw(12) + "%3D"),
            (sas,),
        ),
        Form(
            "URL with token",
            "feed_url",
            "wss://stream.example.com/feed?token=" + (ft := draw(32)),
            (ft,),
        ),
        Form(
            "URL with key",
            "tiles_url",
            "https://tiles.example.com/z/1/2.png?key=" + (tk := draw(28)),
            (tk,),
        ),
        Form(
            "database URL, password with / and @",
            "db_url",
            "postgresql://ml_user:"
            + (pw := draw(6) + "/" + draw(5) + "@" + draw(6))
            + "@db.internal.example.com:5432/experiments",
            (pw, pw.split("@")[-1], pw.split("/")[-1]),
        ),
        Form(
            "MongoDB URL",
            "mongo_url",
            "mongodb+srv://admin:"
            + (mp := draw(16))
            + "@cluster0.ab1cd.mongodb.net/?retryWrites=true",
            (mp,),
        ),
        Form(
            "git remote with a token",
            "remote",
            "https://x-access-token:" + (gt := "ghs_" + draw(36)) + "@github.com/team/repo.git",
            (gt,),
        ),
        Form(
            "JSON Web Token",
            "id_jwt",
            (
                jwt := _b64url({"alg": "HS256", "typ": "JWT"})
                + "."
                + _b64url({"sub": draw(12), "exp": 1893456000})
                + "."
                + draw(43, URLSAFE)
            ),
            (jwt, jwt.rsplit(".", 1)[1]),
        ),
        Form(
            "Bearer header",
            "auth_header",
            "Authorization: Bearer " + (bt := draw(40, URLSAFE)),
            (bt,),
        ),
        Form(
            "Basic auth header",
            "basic_header",
            "Authorization: Basic "
            + (ba := base64.b64encode(("trainer:" + draw(14)).encode()).decode()),
            (ba,),
        ),
        _token("password", "password", draw(10) + "!" + draw(3, DIGITS), shaped=False),
        _token("key under *_key", "wandb_api_key", draw(40, HEX), shaped=False),
        _token("client secret", "client_secret", draw(32, URLSAFE), shaped=False),
        _token("refresh token", "refresh_token", draw(48), shaped=False),
        _token("Twilio API key", "twilio_sid", "SK" + draw(32, HEX)),
        _token("SendGrid key", "sendgrid_key", "SG." + draw(22, URLSAFE) + "." + draw(43, URLSAFE)),
        _token("npm token", "npm_token", "npm_" + draw(36)),
        _token("PyPI token", "pypi_token", "pypi-AgEIcHlwaS5vcmc" + draw(80, URLSAFE)),
        _token("Databricks token", "databricks_token", "dapi" + draw(32, HEX)),
        _token(
            "Discord bot token",
            "discord_token",
            "M" + draw(23, URLSAFE) + "." + draw(6, URLSAFE) + "." + draw(27, URLSAFE),
        ),
        _token("Telegram bot token", "telegram_bot", draw(10, DIGITS) + ":AA" + draw(33, URLSAFE)),
        Form(
            "Azure storage connection string",
            "storage_conn",
            "DefaultEndpointsProtocol=https;AccountName=mlstore;AccountKey="
            + (ak := draw(86, B64) + "==")
            + ";EndpointSuffix=core.windows.net",
            (ak,),
        ),
        _token("Mailchimp key", "mailchimp_key", draw(32, HEX) + "-us14"),
        _token("Square OAuth secret", "square_secret", "sq0csp-" + draw(43, URLSAFE)),
    ]
    forms += _forms_that_leaked()
    names = [f.name for f in forms]
    assert len(set(names)) == len(names), "each form needs its own variable name"
    return forms


def _table(rows: list[tuple[str, str]]) -> str:
    """A DataFrame with a ``password`` column as pandas prints it (columns right-aligned)."""
    users = ["user", *(u for u, _ in rows)]
    words = ["password", *(p for _, p in rows)]
    uw, pw = max(map(len, users)), max(map(len, words))
    lines = [f"   {users[0]:>{uw}}  {words[0]:>{pw}}"]
    lines += [f"{i}  {u:>{uw}}  {p:>{pw}}" for i, (u, p) in enumerate(rows)]
    return "\n" + "\n".join(lines) + "\n"


def _forms_that_leaked() -> list[Form]:
    """The forms that reached the store before issue 17: context, wrapping, encoding, code."""
    pw_a, pw_b = draw(9) + "!" + draw(2, DIGITS), draw(11)
    html_pw = draw(12)
    bearer = draw(40, URLSAFE)
    colour_pw = draw(10) + "#" + draw(2, DIGITS)
    mysql_pw, curl_pw = draw(12), draw(14)
    b64_gh = base64.b64encode(("ghp_" + draw(36)).encode()).decode()
    docker = base64.b64encode(("trainer:" + draw(36, URLSAFE)).encode()).decode()
    gh_rest, akia_rest = draw(36), draw(16, UPPER + DIGITS)
    grey, red, reset = "\x1b[38;5;241m", "\x1b[38;5;124m", "\x1b[39m"
    return [
        Form(
            "DataFrame with a password column",
            "users_table",
            _table([("alice", pw_a), ("bob", pw_b)]),
            (pw_a, pw_b),
        ),
        Form(
            "DataFrame with a password column (HTML)",
            "users_html",
            '<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">'
            "\n      <th></th>\n      <th>user</th>\n      <th>password</th>\n    </tr>\n  </thead>"
            "\n  <tbody>\n    <tr>\n      <th>0</th>\n      <td>alice</td>\n      "
            f"<td>{html_pw}</td>\n    </tr>\n  </tbody>\n</table>",
            (html_pw,),
        ),
        Form(
            "bearer token wrapped by pprint(width=30)",
            "headers_shown",
            "{'Authorization': 'Bearer '\n                  '" + bearer + "'}",
            (bearer,),
        ),
        Form(
            "password in an IPython-coloured traceback line",
            "traceback_line",
            f"----> 3 connect(host{grey}={reset}{red}'{reset}{red}db{reset}{red}'{reset}, "
            f"password{grey}={reset}{red}'{reset}{red}{colour_pw}{reset}{red}'{reset})",
            (colour_pw,),
        ),
        Form(
            "mysql -p in a shell command",
            "mysql_cmd",
            f"!mysql -h db.internal -u root -p{mysql_pw} -e 'select 1'",
            (mysql_pw,),
        ),
        Form(
            "curl -u user:password in a shell command",
            "curl_cmd",
            f"!curl -u admin:{curl_pw} https://api.example.com/v1/export",
            (curl_pw,),
        ),
        Form("base64-encoded GitHub token", "encoded_token", b64_gh, (b64_gh,)),
        Form(
            "docker config auth (base64 of user:token)",
            "docker_config",
            json.dumps({"auths": {"registry.example.com": {"auth": docker}}}),
            (docker,),
        ),
        Form(
            "GitHub token concatenated from literals",
            "gh_concat",
            f'"ghp_" + "{gh_rest}"',
            (gh_rest,),
            source=f'"ghp_" + "{gh_rest}"',
        ),
        Form(
            "AWS key id from implicitly joined literals",
            "akia_joined",
            f'("AKIA" "{akia_rest}")',
            (akia_rest,),
            source=f'("AKIA" "{akia_rest}")',
        ),
    ]


FORMS = _build()
