"""The patterns :mod:`jupyterlab_xp.core.secrets` looks for, and the gates that skip them.

Which detect-secrets plugins are used (and which are not, and why), our own token formats, the
URL, header and assignment patterns, and for each pattern a *gate*: literals one of which must
be in a text, and a shortest run of token characters, both implied by the pattern, so that a
text without them skips it (most texts skip nearly all: redaction stays cheap).
"""

from __future__ import annotations

import re

# (module in detect_secrets.plugins, class, where the secret is: the whole match, or the
# longest group for plugins whose pattern also matches the name it is assigned to).
DETECT_SECRETS_PLUGINS: tuple[tuple[str, str, str], ...] = (
    ("artifactory", "ArtifactoryDetector", "match"),
    ("aws", "AWSKeyDetector", "group"),
    ("azure_storage_key", "AzureStorageKeyDetector", "match"),
    ("basic_auth", "BasicAuthDetector", "group"),
    ("cloudant", "CloudantDetector", "group"),
    ("discord", "DiscordBotTokenDetector", "match"),
    ("github_token", "GitHubTokenDetector", "match"),
    ("gitlab_token", "GitLabTokenDetector", "match"),
    ("ibm_cloud_iam", "IbmCloudIamDetector", "group"),
    ("ibm_cos_hmac", "IbmCosHmacDetector", "group"),
    ("jwt", "JwtTokenDetector", "match"),
    ("mailchimp", "MailchimpDetector", "match"),
    ("npm", "NpmDetector", "group"),
    ("openai", "OpenAIDetector", "match"),
    ("private_key", "PrivateKeyDetector", "match"),
    ("pypi_token", "PypiTokenDetector", "match"),
    ("sendgrid", "SendGridDetector", "match"),
    ("slack", "SlackDetector", "match"),
    ("softlayer", "SoftlayerDetector", "group"),
    ("square_oauth", "SquareOAuthDetector", "match"),
    ("stripe", "StripeDetector", "match"),
    ("telegram_token", "TelegramBotTokenDetector", "match"),
    ("twilio", "TwilioKeyDetector", "match"),
)
LEFT_OUT_PLUGINS = frozenset(
    {"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
)


# Each pattern runs only when its gate holds (a cheap look at the text first): one of the
# literals is in it (case-insensitively unless the literal has capitals) and its longest run of
# token characters is at least ``run`` long. Every gate is implied by its pattern.
Gate = tuple[tuple[str, ...] | frozenset[str], int]

OWN: tuple[tuple[str, re.Pattern[str], Gate], ...] = tuple(
    (kind, re.compile(pattern), (frozenset(gate[0]), gate[1]))
    for kind, pattern, gate in (
        (
            "Private key block",
            r"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]{0,20000}?-----END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"
            r"|[A-Za-z0-9+/=\s\\:,\"'\-]*)",
            (("PRIVATE KEY",), 0),
        ),
        (
            "Private key block",
            r"PuTTY-User-Key-File-\d[\s\S]{0,20000}?Private-MAC: *[0-9a-fA-F]*",
            (("PuTTY-User-Key-File",), 0),
        ),
        (
            "Stripe key",
            r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}|\bwhsec_[0-9A-Za-z]{24,}",
            (("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"), 16),
        ),
        (
            "Slack token",
            r"\bxox[abposrce]-[0-9A-Za-z\-]{10,}|\bxapp-\d-[0-9A-Za-z\-]{10,}",
            (("xox", "xapp-"), 0),
        ),
        (
            "Anthropic key",
            r"\bsk-ant-[a-z]{3,8}\d{2}-[A-Za-z0-9_\-]{20,}",
            (("sk-ant-",), 20),
        ),
        (
            "OpenAI key",
            r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{0,200}\d[A-Za-z0-9_\-]*",
            (("sk-",), 20),
        ),
        (
            "Hugging Face token",
            r"\bhf_[A-Za-z0-9]{20,}|\bapi_org_[A-Za-z0-9]{20,}",
            (("hf_", "api_org_"), 20),
        ),
        (
            "GitHub token",
            r"\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{30,}",
            (("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), 20),
        ),
        (
            "GitLab token",
            r"\bgl(?:pat|dt|ft|rt|soat|cbt|imt|ptt)-[A-Za-z0-9_\-]{20,}",
            (("glpat-", "gldt-", "glft-", "glrt-", "glsoat-", "glcbt-", "glimt-", "glptt-"), 20),
        ),
        ("Google API key", r"\bAIza[0-9A-Za-z_\-]{30,}", (("AIza",), 30)),
        (
            "Google OAuth token",
            r"\bya29\.[0-9A-Za-z_\-]{20,}|\bGOCSPX-[0-9A-Za-z_\-]{20,}",
            (("ya29.", "GOCSPX-"), 20),
        ),
        (
            "JSON Web Token",
            r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
            (("eyJ",), 10),
        ),
        (
            "Access token",
            r"\b(?:npm_[A-Za-z0-9]{30,}|dapi[0-9a-f]{32}(?:-\d)?|shp(?:at|ss|ca)_[0-9a-fA-F]{32}"
            r"|dop_v1_[0-9a-f]{64}|r8_[A-Za-z0-9]{30,}|gsk_[A-Za-z0-9]{40,})",
            (("npm_", "dapi", "shpat_", "shpss_", "shpca_", "dop_v1_", "r8_", "gsk_"), 30),
        ),
        (
            "AWS access key",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[0-9A-Z]{16}\b",
            (("AKIA", "ASIA", "ABIA", "ACCA", "A3T"), 20),
        ),
    )
)
OWN_MIN_LENGTH = {"OpenAI key": 23}
# Gates of the detect-secrets plugins, by class (see DETECT_SECRETS_PLUGINS).
PLUGIN_GATES: dict[str, Gate] = {
    "ArtifactoryDetector": (("AKC", "AP"), 10),
    "AWSKeyDetector": (("A3T", "ABIA", "ACCA", "AKIA", "ASIA", "aws"), 0),
    "AzureStorageKeyDetector": (("accountkey=",), 0),
    "BasicAuthDetector": (("://",), 0),
    "CloudantDetector": (("cl",), 24),
    "DiscordBotTokenDetector": ((".",), 24),
    "GitHubTokenDetector": (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), 20),
    "GitLabTokenDetector": (
        (
            *("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "glcbt-", "glimt-", "glptt-"),
            *("GR1348941", "glagent-", "gloas-"),
        ),
        20,
    ),
    "IbmCloudIamDetector": (("key", "pwd", "pass", "token"), 44),
    "IbmCosHmacDetector": (("secret",), 48),
    "JwtTokenDetector": (("eyJ",), 0),
    "MailchimpDetector": (("-us",), 32),
    "NpmDetector": (("_authtoken",), 0),
    "OpenAIDetector": (("T3BlbkFJ",), 20),
    "PrivateKeyDetector": (("PRIVATE KEY", "PuTTY-User-Key-File"), 0),
    "PypiTokenDetector": (("pypi-",), 70),
    "SendGridDetector": (("SG.",), 22),
    "SlackDetector": (("xox", "hooks.slack.com"), 0),
    "SoftlayerDetector": (("sl", "softlayer"), 64),
    "SquareOAuthDetector": (("sq0csp-",), 0),
    "StripeDetector": (("k_live_",), 24),
    "TelegramBotTokenDetector": ((":",), 35),
    "TwilioKeyDetector": (("AC", "SK"), 34),
}

URL_PASSWORD = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/?#@\"'<>\\]*:(?P<v>[^\s\"'<>\\]+)"
    r"@(?=[A-Za-z0-9\[][A-Za-z0-9.\-_\[\]:%]*(?:[/?#\s\"'<>\\,;)]|$))"
)
URL_USER_TOKEN = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://(?P<v>[A-Za-z0-9_\-.~%]{16,})@(?=[A-Za-z0-9\[])"
)
URL_QUERY = re.compile(
    r"(?i)[?&;](?P<name>[\w.\-]{0,40}?(?:token|key|secret|signature|sig|password|passwd|pwd|"
    r"credential|auth))=(?P<v>[^&#\s\"'<>\\]+)"
)
AUTH_HEADER = re.compile(
    r"(?i)\b(?:bearer|basic)[ \t]+(?P<v>[A-Za-z0-9\-._~+/]{16,}=*)"
    r"|authorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:token[ \t]+)?(?P<w>[^\s\"']{8,})"
)
# A secret-looking word; the name around it is then read, and what follows the name: maybe an
# ["INDEX"] or a type annotation, an operator, then a quoted or bare value.
KEYWORD = re.compile(r"(?i)passw|pwd|pass|secret|token|credential|key|auth|dsn")
ASSIGN_REST = re.compile(
    r"(?P<close>[\"']?\]?)"
    r"(?:[ \t]*:[ \t]*[A-Za-z_][\w.\[\], |]{0,40}?)?"
    r"[ \t]*(?P<op>:=|=>|==|=|:|,)[ \t]*"
    r"(?:[rRbBuUfF]{0,2}(?:\"(?P<dq>(?:[^\"\\\n]|\\.){1,500})\"|'(?P<sq>(?:[^'\\\n]|\\.){1,500})')"
    r"|(?P<uv>[^\s\"',;()\[\]{}<>]{6,500})(?=[\s,;)\]}]|$))"
)
RUN = re.compile(r"[A-Za-z0-9_\-]{10,}")
PASSWORD_NAME = re.compile(r"(?i)passw|pwd|passphrase|(?:^|[_\-.])pass$")
OPAQUE_NAME = re.compile(
    r"(?i)secret|token|credential|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|"
    r"(?:^|[_\-.])key$|^key[_\-.]|[_\-.]key[_\-.]|auth[_\-]?key|authorization|(?:^|[_\-.])dsn$"
)
NOT_SECRET_NAME = re.compile(r"(?i)tokeniz|(?:^|[_\-.])(?:num|max|min|n)_?tokens?|keyboard")
TEMPLATE = re.compile(r"^(?:\{.*\}|\$\{?\w+\}?|%\(?\w*\)?[sd]|<[^>]*>|\*+|x+|\.+)$|\{[^{}]*\}")
OPAQUE_VALUE = re.compile(r"^[A-Za-z0-9+/=_\-.~:]{16,}$")
LEFT_NAME = re.compile(r"([A-Za-z_][\w\-]{0,60})[\"'\]]*[ \t]*(?::=|=|:|,)[ \t]*[rbuf]{0,2}[\"']?$")


KEYWORDS = ("passw", "pwd", "pass", "secret", "token", "credential", "key", "auth", "dsn")
AUTH_WORDS = ("bearer", "basic", "authorization")
# Commands whose flags hold a password without a secret-looking word (core/secret_context.py).
COMMAND_WORDS = ("mysql", "mariadb", "sshpass", "curl", "wget", "ftp")
# A table header with a credential column, in a string literal: its line ends in an escaped "\n".
ESCAPED_HEADER = re.compile(
    r"(?i)(?:passw|pwd|secret|token|key|auth|credential)[\w.\- \t]{0,200}\\n"
)
# What a base64 run decodes to in a docker config's "auth" or a Basic header: user:password.
BASIC_CREDENTIAL = re.compile(r"^[\w.@+\-]{1,128}:(?!//)[^\s:]{3,}$")
