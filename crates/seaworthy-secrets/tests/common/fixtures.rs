//! Fake credentials in the real formats (random bodies, generated once), a firing and a
//! quiet list per catalog pattern. File patterns carry the file name they apply to.

pub struct Fixture {
    pub id: &'static str,
    pub path: Option<&'static str>,
    pub fire: &'static [&'static str],
    pub quiet: &'static [&'static str],
}

pub const FIXTURES: &[Fixture] = &[
    Fixture {
        id: "private-key",
        path: None,
        fire: &[
            r#"-----BEGIN RSA PRIVATE KEY-----
PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt+1f
jORS/6ilI8ihN5KXSc7Tvo/hBKqFYY/kv5ZJr3J1TWDtkwtDDb+xHKas1VOqg6YY
ZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799NksnRH9ucAUsdMlHUvTCQCyEZDz/Td
dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT6
-----END RSA PRIVATE KEY-----
"#,
            r#"ENV KEY="-----BEGIN PRIVATE KEY-----\n1qtc4xatws8phP9nhFyJfm5di4PzJ59FHz5r1pY4OjE2jBMptUsGr7CmY+uCu3ZR\n-----END PRIVATE KEY-----\n""#,
        ],
        quiet: &[
            r#"-----BEGIN RSA PRIVATE KEY-----
...
-----END RSA PRIVATE KEY-----"#,
            r#"grep -q 'BEGIN RSA PRIVATE KEY-----' key.pem"#,
            r#"-----BEGIN PUBLIC KEY-----
1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNAL
-----END PUBLIC KEY-----"#,
        ],
    },
    Fixture {
        id: "openssh-private-key",
        path: None,
        fire: &[r#"-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
5wIScGebcy8F5n3/YNBDRzrZSgqbjG3uhkWKFLf6xuI5aHUQPFeNBTxaQWk8JzFalHlsZf
-----END OPENSSH PRIVATE KEY-----
"#],
        quiet: &[
            r#"echo '-----BEGIN OPENSSH PRIVATE KEY-----' >> ~/.ssh/id_ed25519"#,
            r#"-----BEGIN OPENSSH PRIVATE KEY-----
<paste your key here>
-----END OPENSSH PRIVATE KEY-----"#,
        ],
    },
    Fixture {
        id: "pgp-private-key",
        path: None,
        fire: &[r#"-----BEGIN PGP PRIVATE KEY BLOCK-----
Version: GnuPG v2

lQOYBFYcMMDktXP/tKsf2rcDkdfrUnW5gcF+Ha6ili8GjHEAD6/Wj9KfzjsQGMrb9h
+ImB+LK777pzNk8cL6j5IXAAjlsHUqJoUD/+Ydua+5ZMs1SWOpQaPRYpzbLGViYX
=Ab1c
-----END PGP PRIVATE KEY BLOCK-----
"#],
        quiet: &[
            r#"-----BEGIN PGP PUBLIC KEY BLOCK-----

mQINBFjU2JgJngKtFI3OyV2dZAkg05rK+gqv81RKMGHZEM9YpvujA/C5Q52ryFlwRlOEVH
-----END PGP PUBLIC KEY BLOCK-----"#,
            r#"gpg --armor --export-secret-keys | grep 'PGP PRIVATE KEY BLOCK-----'"#,
        ],
    },
    Fixture {
        id: "age-secret-key",
        path: None,
        fire: &[r#"# created: 2024-05-01
AGE-SECRET-KEY-1VP6C6DC34RL3HGD930CEUMNPGZM7LQYEAU0XWFFXA9ZQGWZNGSM8XYNVCS
"#],
        quiet: &[
            r#"AGE-SECRET-KEY-1..."#,
            r#"age-keygen -o key.txt # AGE-SECRET-KEY-1 goes here"#,
        ],
    },
    Fixture {
        id: "aws-access-key-id",
        path: None,
        fire: &[r#"ENV AWS_ACCESS_KEY_ID=AKIAOAA8T3RUP47P9PB0"#],
        quiet: &[
            r#"aws_access_key_id = AKIAIOSFODNN7EXAMPLE"#,
            r#"AKIA is the prefix of long-term keys"#,
            r#"xAKIATDBM50FQO1XO5CV0"#,
        ],
    },
    Fixture {
        id: "aws-temporary-access-key-id",
        path: None,
        fire: &[r#""AccessKeyId": "ASIAXZMAS6EN5MTMO3OQ""#],
        quiet: &[r#"ASIAXXXXXXXXXXXXXXXX"#, r#"ASIASG5LO50DJZ"#],
    },
    Fixture {
        id: "aws-secret-access-key",
        path: None,
        fire: &[
            r#"aws_secret_access_key = dnbMjAdTdlzC5T4uUhf7kvmlP7HVDc/tQUy1xvCk"#,
            r#"export AWS_SECRET_ACCESS_KEY="gafrfwA94hJ9WnywX0t0ZBfdTEmxI6CmuxV5EbOA""#,
            r#""SecretAccessKey": "pZOXzcycDeZ6dqmVe5Mvxrv99NcqVTSu7rtaUWM6""#,
        ],
        quiet: &[
            r#"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"#,
            r#"AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}"#,
            r#"aws_secret_access_key = short"#,
        ],
    },
    Fixture {
        id: "gcp-service-account",
        path: None,
        fire: &[r#"{
  "type": "service_account",
  "project_id": "demo-project",
  "private_key_id": "d19bdd0b6cc60d5d32cbe54014c2b54b95523cf6",
  "private_key": "-----BEGIN PRIVATE KEY-----\nidDn87XG3/q/xbMtEPO6UkzYuF0ie9Pu2njHkAm1/5wDr16EpLLJIVGHz4FxFEtK\nyPiYGFDm7ena8D5VfLDpgyyjVw5HanSBeVRsfAGeAbP0VxNjAe/9i0mYtluYI0KN\n-----END PRIVATE KEY-----\n",
  "client_email": "ci@demo-project.iam.gserviceaccount.com"
}
"#],
        quiet: &[
            r#"{"type": "service_account", "project_id": "demo", "private_key": ""}"#,
            r#"{"type": "authorized_user", "client_id": "x", "refresh_token": "ti18c6EudM7Oyf5TNS05kOY2oNzN2m"}"#,
        ],
    },
    Fixture {
        id: "gcp-api-key",
        path: None,
        fire: &[r#"GOOGLE_MAPS_KEY=AIza8xBfZuXTptFyfePpX6N1NF2XV54wca-7E56"#],
        quiet: &[
            r#"AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"#,
            r#"AIza1lZEzgeiwBxfZCGGQccO"#,
        ],
    },
    Fixture {
        id: "gcp-oauth-client-secret",
        path: None,
        fire: &[r#""client_secret": "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""#],
        quiet: &[r#"GOCSPX-<secret>"#, r#"GOCSPX-NGpuxcmlzk"#],
    },
    Fixture {
        id: "azure-storage-connection-string",
        path: None,
        fire: &[
            r#"DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=JPWvHogU5nGYVHWVsUQk4DwgLGNOaeCtL31Ugq+DfcgaTMnTC0MrAU8urbFt5misIZHbhS4/FvafhdZxEuhnbz==;EndpointSuffix=core.windows.net"#,
        ],
        quiet: &[
            r#"DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=<key>;EndpointSuffix=core.windows.net"#,
            r#"UseDevelopmentStorage=true"#,
        ],
    },
    Fixture {
        id: "azure-ad-client-secret",
        path: None,
        fire: &[
            r#"AZURE_CLIENT_SECRET=jAm8Q~.1wNiMg9aW37k5wCnHDepQHgI3HLBk.bvH"#,
            r#""clientSecret": "5p11Q~zuPyXQEW88ad3DNBYjvsedonuSsddfr""#,
        ],
        quiet: &[
            r#"AZURE_CLIENT_SECRET=Q~"#,
            r#"AZURE_CLIENT_ID=SPO8Q~fifiUziXnFAAoeelK9mqmALOR2HcSGKgVP"#,
            r#"CLIENT_SECRET=abc8Q~"#,
        ],
    },
    Fixture {
        id: "github-pat",
        path: None,
        fire: &[
            r#"git clone https://ghp_X9MGE2sNVbYAbBHXgwETdIKnT30fK0skBaHm@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghp_sWWdawFgFSY0l9FLw91G"#,
            r#"myghp_qK8ks0n8SoFkh8OXfFYSJYgOuwgz7z54VfB4"#,
        ],
    },
    Fixture {
        id: "github-oauth-token",
        path: None,
        fire: &[
            r#"git clone https://gho_PbxntqB5IGky4Oo8DiIMWSWMPcwLuHj31CQJ@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"gho_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"gho_VukDCSXqLoivDP4SpGmr"#,
            r#"mygho_tWT01NjUjpUuMHwkpu9mq9Ugk9QgmyjjYtUt"#,
        ],
    },
    Fixture {
        id: "github-user-token",
        path: None,
        fire: &[
            r#"git clone https://ghu_BrmgO6grn4yDcaz2YBSoGOsDbjqMVzaVp62B@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghu_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghu_SKLVPA2oQUP44XPSL2oR"#,
            r#"myghu_lPhDBuqOSg5ApYzTTOkq2BEDbN2AHRQ73l5P"#,
        ],
    },
    Fixture {
        id: "github-app-token",
        path: None,
        fire: &[
            r#"git clone https://ghs_uXay1F6gcqInkTY88mHwg2KDInTEGbOY1xHv@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghs_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghs_AV8DnRlzGW7hUNwOdqry"#,
            r#"myghs_zdaeA6AOSRwLqgotVz89HoZ9zDnki7XeZZOm"#,
        ],
    },
    Fixture {
        id: "github-refresh-token",
        path: None,
        fire: &[
            r#"git clone https://ghr_EPJUo09jwQO10Y0ADsWJPiX1EwY2orTyRqBR@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghr_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghr_lEaZUZrwpPtuEFBNOfQ5"#,
            r#"myghr_xj7t2ydf0K5uY8iH1wOLaQan8ePsqMgLj2ol"#,
        ],
    },
    Fixture {
        id: "github-fine-grained-pat",
        path: None,
        fire: &[
            r#"GH_TOKEN=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"#,
        ],
        quiet: &[r#"github_pat_<token>"#, r#"github_pat_short"#],
    },
    Fixture {
        id: "gitlab-pat",
        path: None,
        fire: &[r#"PRIVATE-TOKEN: glpat-jxUdcfQm9-seB1qRmUR8"#],
        quiet: &[r#"glpat-xxxxxxxxxxxxxxxxxxxx"#, r#"glpat-short"#],
    },
    Fixture {
        id: "gitlab-deploy-token",
        path: None,
        fire: &[r#"gldt-AK3R2GgLLT_ZQISA_pQy"#],
        quiet: &[r#"gldt-xxxxxxxxxxxxxxxxxxxx"#, r#"gldt-123"#],
    },
    Fixture {
        id: "gitlab-runner-token",
        path: None,
        fire: &[r#"token = "glrt-OMqlfZZgZMnafy8hWskB""#],
        quiet: &[r#"glrt-REDACTED"#, r#"glrt-"#],
    },
    Fixture {
        id: "gitlab-trigger-token",
        path: None,
        fire: &[
            r#"curl -F token=glptt-1e5351d30b49895d1a0d1f13dce20c4fd32f640d https://gitlab.example.com/api/v4/projects/1/trigger/pipeline"#,
        ],
        quiet: &[
            r#"glptt-0000000000000000000000000000000000000000"#,
            r#"glptt-0032634f087e"#,
        ],
    },
    Fixture {
        id: "npm-token",
        path: None,
        fire: &[r#"//registry.npmjs.org/:_authToken=npm_UVl7dxXVTS2jUWfsOJTFDQ74q69dTcada4PR"#],
        quiet: &[
            r#"npm_config_cache=/tmp/npm"#,
            r#"npm_0NfyttUMk931FMdux8KU"#,
        ],
    },
    Fixture {
        id: "pypi-token",
        path: None,
        fire: &[
            r#"password = pypi-AgEIcHlwaS5vcmc48vsoUu19X5IQLJhQbtN2FWXWD5KaPHI2ufKssJ_Sk-WzDNhY7AGbX6lTiDY"#,
        ],
        quiet: &[r#"pypi-AgEIcHlwaS5vcmc"#, r#"pypi-token-here"#],
    },
    Fixture {
        id: "slack-bot-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxb-984857893333-flZSsxKKwzXH2jpc7Fx3gxOD"#],
        quiet: &[r#"xoxb-xxxxxxxxxxxx"#, r#"xoxb-1"#],
    },
    Fixture {
        id: "slack-user-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxp-125905489010-n33KFLKnq7XrBg8CXL0M9iq1"#],
        quiet: &[r#"xoxp-xxxxxxxxxxxx"#, r#"xoxp-1"#],
    },
    Fixture {
        id: "slack-app-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xapp-053261000857-F8265e3MOz7hT9fquKoPf96Q"#],
        quiet: &[r#"xapp-xxxxxxxxxxxx"#, r#"xapp-1"#],
    },
    Fixture {
        id: "slack-refresh-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxr-862725332045-d5J5b16dqYGTVPWEdgjuWa8m"#],
        quiet: &[r#"xoxr-xxxxxxxxxxxx"#, r#"xoxr-1"#],
    },
    Fixture {
        id: "slack-session-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxs-499717554615-EykCpZj6R5aDT6mZck71oe7N"#],
        quiet: &[r#"xoxs-xxxxxxxxxxxx"#, r#"xoxs-1"#],
    },
    Fixture {
        id: "slack-webhook-url",
        path: None,
        fire: &[
            r#"curl -X POST https://hooks.slack.com/services/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"#,
        ],
        quiet: &[
            r#"https://hooks.slack.com/services/..."#,
            r#"see hooks.slack.com/ for details"#,
        ],
    },
    Fixture {
        id: "stripe-secret-key",
        path: None,
        fire: &[r#"STRIPE_KEY=sk_live_kqFguD5EhjGdO5YQ7nJE1shq"#],
        quiet: &[
            r#"sk_test_WmxBqp7pgysA5kd1UsjObCZG"#,
            r#"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"#,
        ],
    },
    Fixture {
        id: "stripe-restricted-key",
        path: None,
        fire: &[r#"rk_live_vGiCaY18HslxBc6AnrKli1lH"#],
        quiet: &[r#"rk_test_XoTlmMf1f4MUFWrlniNQTOZm"#, r#"rk_live_Ltmae"#],
    },
    Fixture {
        id: "sendgrid-api-key",
        path: None,
        fire: &[
            r#"SENDGRID_API_KEY=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"#,
        ],
        quiet: &[r#"SG.xxxxx.yyyyy"#, r#"SG.z4iILo3ojQKDVzk80b8OyS"#],
    },
    Fixture {
        id: "pulumi-access-token",
        path: None,
        fire: &[r#"PULUMI_ACCESS_TOKEN=pul-d1c1bac7adac1a4b7d0b352ad6074dce11188138"#],
        quiet: &[
            r#"pul-30d71939b5"#,
            r#"rpul-3182e4e349d98729e7c6be9ff907a76cc0b57aaf"#,
            r#"pul-0000000000000000000000000000000000000000"#,
        ],
    },
    Fixture {
        id: "mailgun-api-key",
        path: None,
        fire: &[r#"MAILGUN_API_KEY=key-89691052be1ceb374dab4683f84d30d3"#],
        quiet: &[
            r#"primary-key-monkey-6d0018f99ddceb1be0273dbc46dfcea2"#,
            r#"key-value store"#,
        ],
    },
    Fixture {
        id: "openai-api-key",
        path: None,
        fire: &[
            r#"OPENAI_API_KEY=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"#,
            r#"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"#,
        ],
        quiet: &[r#"sk-proj-..."#, r#"T3BlbkFJ alone"#],
    },
    Fixture {
        id: "anthropic-api-key",
        path: None,
        fire: &[
            r#"ANTHROPIC_API_KEY=sk-ant-api03-wDPyniUMyiNlCKqZKTZ7qJwdUS0d7FZTmxLoICfZfu3zMtWfNwD_G3SaoKfgFoeOASl1YCJlS24R5gA2q-yfHwuEHFhvTAA"#,
        ],
        quiet: &[r#"sk-ant-api03-xxxx"#, r#"sk-ant-wAfmOtiiRTFQEpTpaGSC"#],
    },
    Fixture {
        id: "huggingface-token",
        path: None,
        fire: &[r#"HF_TOKEN=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"#],
        quiet: &[r#"hf_hub_download(repo_id)"#, r#"hf_drtmhStChk"#],
    },
    Fixture {
        id: "shopify-token",
        path: None,
        fire: &[r#"X-Shopify-Access-Token: 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"#],
        quiet: &[r#"shpat_<token>"#, r#"shpat_9b5539ac5ba7"#],
    },
    Fixture {
        id: "postman-api-key",
        path: None,
        fire: &[r#"x-api-key: PMAK-b4b87113c16fdf5924754ec2-1ef66b01d4921da2e055c90eb6f2aed4c2"#],
        quiet: &[r#"PMAK-<your-key>"#, r#"PMAK-1a9dbf49a067e24bdb7ec837"#],
    },
    Fixture {
        id: "atlassian-api-token",
        path: None,
        fire: &[
            r#"JIRA_API_TOKEN=ATATT3xFfGF0xzoCGmyG-D6Cok0j4ron6Yvy8lrVhZEgVfbB6Mpr2lzoTvURbGpEVT-fTmTPoeFGTy5c4oc-ojHxtLWsGI4bdRt-9eejxY8u5YDjUQBNqfBvU7Q7XTOaQ9QDcF6fssIXIiHTremz2mUKEsjMRUFSZQhRP9VFEStrAa6Z5YMvis=TTQ9VEMF"#,
        ],
        quiet: &[
            r#"ATATT3xFfGF0..."#,
            r#"ATATT3LltLwDwXSBU37e1Fu5lr5qIbWkOrpT"#,
        ],
    },
    Fixture {
        id: "vault-service-token",
        path: None,
        fire: &[
            r#"VAULT_TOKEN=hvs.CAESIcBgZ5zKmzEhqgkjRrayIbPdBPPd-ZRwh1flQ_ZG7bdOOh1QulctAslTU2StQDH9eN6JUJqGb8mUtDZldrphAxHUtwu"#,
        ],
        quiet: &[
            r#"VAULT_TOKEN=hvs.xxxxxxxx"#,
            r#"hvs.HbwXTpC3FnO6w5ZyDnuY5bgQUaeZP6"#,
        ],
    },
    Fixture {
        id: "vault-batch-token",
        path: None,
        fire: &[
            r#"hvb.AAAAAQZShDW0WCdGcH3EDTAP2JM_Bu9IrMKlQa-FuO5BgAUf4x3rMdotbrMtTmv7Yl1RYQeEzberD3ncgOiop-r2awCsoT_jSBCjIwbHIifzg0UIbPf6KQ0IZ2O1XtXX0saEGWEzolegZP4O6a88RWEWTiYI"#,
        ],
        quiet: &[
            r#"hvb.example"#,
            r#"hvb.NQR0ueOZIQo7NWqq61E2UwHLEKoje7WHxHnHk0xp"#,
        ],
    },
    Fixture {
        id: "digitalocean-token",
        path: None,
        fire: &[
            r#"DIGITALOCEAN_ACCESS_TOKEN=dop_v1_54e51acbd3d48c3bb9e28c9e3ef5404bf7bac806081598a878e2f264d9b1ecb1"#,
        ],
        quiet: &[r#"dop_v1_<token>"#, r#"dop_v1_9dd8b7c46b26a22eccdf"#],
    },
    Fixture {
        id: "doppler-token",
        path: None,
        fire: &[r#"DOPPLER_TOKEN=dp.st.75PWYbgLKD7DS1BAEl4eCzFiGW0aQoVmzIc7RsJvXyX"#],
        quiet: &[r#"dp.st.xxxx"#, r#"dp.pt.Dhfo2eK0ag"#],
    },
    Fixture {
        id: "databricks-token",
        path: None,
        fire: &[r#"DATABRICKS_TOKEN=dapif26e16af1d4d14aa605882ac89cd1997"#],
        quiet: &[
            r#"dapi<token>"#,
            r#"dapicd896416be"#,
            r#"mydapif4ba6e1a02da187e966ece6615d3142f"#,
        ],
    },
    Fixture {
        id: "docker-config-auth",
        path: None,
        fire: &[
            r#"{"auths": {"registry.example.com": {"auth": "Y2ktYm90OmxhN1VKVlprRm9SVVJWc1puSTFr"}}}"#,
        ],
        quiet: &[
            r#"{"auths": {"registry.example.com": {"auth": ""}}}"#,
            r#"{"auth": "bm8tY29sb24taGVyZQ=="}"#,
            r#"{"auth": "required"}"#,
        ],
    },
    Fixture {
        id: "docker-config-identity-token",
        path: None,
        fire: &[
            r#"{"auths": {"myregistry.azurecr.io": {"identitytoken": "jX6TnHgDgmYf8dAoQ1qT5CRBj3d7Sick1CsWo3LZ"}}}"#,
        ],
        quiet: &[
            r#"{"identitytoken": ""}"#,
            r#"{"identitytoken": "<token>"}"#,
        ],
    },
    Fixture {
        id: "npmrc-auth",
        path: None,
        fire: &[
            r#"//npm.example.com/:_authToken=uTJUjt6quJ1nj8ZQozcuyjPs"#,
            r#"_auth=dXNlcjpvUElTZm1EalVsQnY="#,
        ],
        quiet: &[
            r#"//registry.npmjs.org/:_authToken=${NPM_TOKEN}"#,
            r#"_auth="#,
            r#"always-auth=true"#,
        ],
    },
    Fixture {
        id: "pypirc-password",
        path: Some(".pypirc"),
        fire: &[r#"[distutils]
index-servers = private

[private]
repository = https://pypi.example.com/
username = deploy
password = Rzhc1whQ7nP8HHes
"#],
        quiet: &[
            r#"[pypi]
username = __token__
password = <your token>
"#,
            r#"[pypi]
username = me
"#,
        ],
    },
    Fixture {
        id: "git-credentials",
        path: Some(".git-credentials"),
        fire: &[r#"https://ci-bot:FwbWYF476fmFr3tMLIWf@git.example.com
"#],
        quiet: &[
            r#"https://git.example.com
"#,
            r#"https://user:${TOKEN}@git.example.com
"#,
        ],
    },
    Fixture {
        id: "netrc-password",
        path: Some(".netrc"),
        fire: &[r#"machine api.example.com
  login deploy
  password miErX5W25oL7tc
"#],
        quiet: &[
            r#"machine api.example.com login deploy
"#,
            r#"default login anonymous password $PASSWORD
"#,
        ],
    },
    Fixture {
        id: "dotenv-secret",
        path: Some(".env"),
        fire: &[r#"APP_ENV=production
DB_PASSWORD=hunter2-Prod
export STRIPE_WEBHOOK_SECRET="whsec_LMg9awm8jQtdlvwCEpvVxlhY"
"#],
        quiet: &[r#"DB_PASSWORD=
DB_PASSWORD_FILE=/run/secrets/db
API_TOKEN=${API_TOKEN}
SECRET_KEY=changeme
"#],
    },
    Fixture {
        id: "jwt",
        path: None,
        fire: &[
            r#"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkRlbW8ifQ.Mi6mouY7eefm0q1TjVuUvlQa9MtHmnEot_IpP7FufGU"#,
        ],
        quiet: &[
            r#"eyJhbGciOiJIUzI1NiJ9 is a JOSE header"#,
            r#"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."#,
        ],
    },
    Fixture {
        id: "url-password",
        path: None,
        fire: &[
            r#"DATABASE_URL=postgres://app:8mszJni6pU3IGp4g@db.internal:5432/app"#,
            r#"pip install --index-url https://deploy:ag8dFYYSKnSV@pypi.example.com/simple pkg"#,
        ],
        quiet: &[
            r#"https://user:password@example.com"#,
            r#"postgres://app:${DB_PASSWORD}@db/app"#,
            r#"https://example.com:8443/path"#,
            r#"http://:@host"#,
        ],
    },
    Fixture {
        id: "generic-secret-assignment",
        path: None,
        fire: &[
            r#"API_KEY=ofWkj1qbBzNHhsK4hfQLnopMXYGT0d0p"#,
            r#"client_secret: "eMvgcnNXSl0tvfZWDL6lau87AYAc""#,
            r#""apiKey": "fYpjUGRkjZwXinm7oRvTeaY4""#,
        ],
        quiet: &[
            r#"API_KEY=changeme"#,
            r#"PASSWORD_FILE=EcFHXv6eWMOem3Od2xYAfPTw"#,
            r#"GPG_KEY_SHA=349699e0cfaf235669cdb72528982e6519c6ebd109b3c4bc31d1847ca1520d0b"#,
            r#"if token == expected_token_LkZ9FRXVFiq1S7t5dVD1:"#,
        ],
    },
];
