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
        fire: &[r#"AZURE_CLIENT_SECRET=jAm8Q~.1wNiMg9aW37k5wCnHDepQHgI3HLBk.bvH"#],
        quiet: &[r#"AZURE_CLIENT_SECRET=Q~"#, r#"path~Q~name"#],
    },
    Fixture {
        id: "github-pat",
        path: None,
        fire: &[
            r#"git clone https://ghp_5p1Vm8kV6um4yvMpy62O6SQ1IEE1HSa2bB9U@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghp_oK4tYnzNLeK6kjcbhgN7"#,
            r#"myghp_kwjSbbciSPOcSeVce2LWxm090I5Qe43W6T8y"#,
        ],
    },
    Fixture {
        id: "github-oauth-token",
        path: None,
        fire: &[
            r#"git clone https://gho_gpnnhcc826ZWOf0WOOsEgigYWPnsuvBqbwq7@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"gho_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"gho_sdTWx6uX9MGE2sNVbYAb"#,
            r#"mygho_BHXgwETdIKnT30fK0skBaHmsWWdawFgFSY0l"#,
        ],
    },
    Fixture {
        id: "github-user-token",
        path: None,
        fire: &[
            r#"git clone https://ghu_9FLw91GqK8ks0n8SoFkh8OXfFYSJYgOuwgz7@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghu_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghu_z54VfB4PbxntqB5IGky4"#,
            r#"myghu_Oo8DiIMWSWMPcwLuHj31CQJVukDCSXqLoivD"#,
        ],
    },
    Fixture {
        id: "github-app-token",
        path: None,
        fire: &[
            r#"git clone https://ghs_P4SpGmrtWT01NjUjpUuMHwkpu9mq9Ugk9Qgm@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghs_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghs_yjjYtUtBrmgO6grn4yDc"#,
            r#"myghs_az2YBSoGOsDbjqMVzaVp62BSKLVPA2oQUP44"#,
        ],
    },
    Fixture {
        id: "github-refresh-token",
        path: None,
        fire: &[
            r#"git clone https://ghr_XPSL2oRlPhDBuqOSg5ApYzTTOkq2BEDbN2AH@github.com/org/app.git"#,
        ],
        quiet: &[
            r#"ghr_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
            r#"ghr_RQ73l5PuXay1F6gcqInk"#,
            r#"myghr_TY88mHwg2KDInTEGbOY1xHvAV8DnRlzGW7hU"#,
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
        fire: &[r#"PRIVATE-TOKEN: glpat-x9aJTFMP9-2kUtMXhkPr"#],
        quiet: &[r#"glpat-xxxxxxxxxxxxxxxxxxxx"#, r#"glpat-short"#],
    },
    Fixture {
        id: "gitlab-deploy-token",
        path: None,
        fire: &[r#"gldt-SbbAjLGmsDx5StAZvlMz"#],
        quiet: &[r#"gldt-xxxxxxxxxxxxxxxxxxxx"#, r#"gldt-123"#],
    },
    Fixture {
        id: "gitlab-runner-token",
        path: None,
        fire: &[r#"token = "glrt-_Bk4opH1Dr8_h97s-F_v""#],
        quiet: &[r#"glrt-REDACTED"#, r#"glrt-"#],
    },
    Fixture {
        id: "gitlab-trigger-token",
        path: None,
        fire: &[
            r#"curl -F token=glptt-05aef9ebdd25b001a3ff416d4a3baf69dad8199b https://gitlab.example.com/api/v4/projects/1/trigger/pipeline"#,
        ],
        quiet: &[
            r#"glptt-0000000000000000000000000000000000000000"#,
            r#"glptt-fca8b6f3a6a9"#,
        ],
    },
    Fixture {
        id: "npm-token",
        path: None,
        fire: &[r#"//registry.npmjs.org/:_authToken=npm_iLOfYczUJ4zIKdztgacm06EMXQdYG6INyNjO"#],
        quiet: &[
            r#"npm_config_cache=/tmp/npm"#,
            r#"npm_RSSM4RfncQODOWlgQl3c"#,
        ],
    },
    Fixture {
        id: "pypi-token",
        path: None,
        fire: &[
            r#"password = pypi-AgEIcHlwaS5vcmc1mbVrNHMx1eOc3g_fp1Z5ibXt80nk8Btb2abplBpq8cJF5xgUskL_6Ggebhb"#,
        ],
        quiet: &[r#"pypi-AgEIcHlwaS5vcmc"#, r#"pypi-token-here"#],
    },
    Fixture {
        id: "slack-bot-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxb-916449279055-8KUCERkj9Zhx9PkOZAEyXYC8"#],
        quiet: &[r#"xoxb-xxxxxxxxxxxx"#, r#"xoxb-1"#],
    },
    Fixture {
        id: "slack-user-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxp-495440995902-M1tLB4pyyRyMX5oZCsSauqrB"#],
        quiet: &[r#"xoxp-xxxxxxxxxxxx"#, r#"xoxp-1"#],
    },
    Fixture {
        id: "slack-app-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xapp-290429248758-fIJFZymYWU7otMdRzDTn7qLW"#],
        quiet: &[r#"xapp-xxxxxxxxxxxx"#, r#"xapp-1"#],
    },
    Fixture {
        id: "slack-refresh-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxr-067818513698-5q41HuEGLmmnmflZSsxKKwzX"#],
        quiet: &[r#"xoxr-xxxxxxxxxxxx"#, r#"xoxr-1"#],
    },
    Fixture {
        id: "slack-session-token",
        path: None,
        fire: &[r#"SLACK_TOKEN=xoxs-823075157125-MbwrHMbgcn33KFLKnq7XrBg8"#],
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
        fire: &[r#"STRIPE_KEY=sk_live_zlC2kx9pUolc8q8wd5J5b16d"#],
        quiet: &[
            r#"sk_test_qYGTVPWEdgjuWa8mRVtLLCWP"#,
            r#"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"#,
        ],
    },
    Fixture {
        id: "stripe-restricted-key",
        path: None,
        fire: &[r#"rk_live_gEuxqyhxEykCpZj6R5aDT6mZ"#],
        quiet: &[r#"rk_test_ck71oe7N3x4ViXC9g77y1bOe"#, r#"rk_live_Cvu0o"#],
    },
    Fixture {
        id: "sendgrid-api-key",
        path: None,
        fire: &[
            r#"SENDGRID_API_KEY=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"#,
        ],
        quiet: &[r#"SG.xxxxx.yyyyy"#, r#"SG.i1lHXoTlmMf1f4MUFWrlni"#],
    },
    Fixture {
        id: "twilio-api-key",
        path: None,
        fire: &[r#"TWILIO_API_KEY=SK69602d1ba9f20df4875b15b0be23b7ac"#],
        quiet: &[
            r#"SK193fe04072"#,
            r#"ASK755398003680e7e3b35183ef8333c477"#,
            r#"SK00000000000000000000000000000000"#,
        ],
    },
    Fixture {
        id: "mailgun-api-key",
        path: None,
        fire: &[r#"MAILGUN_API_KEY=key-4ec50cd1c1bac7adac1a4b7d0b352ad6"#],
        quiet: &[
            r#"primary-key-monkey-49d98729e7c6be9ff907a76cc0b57aaf"#,
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
            r#"ANTHROPIC_API_KEY=sk-ant-api03-wOa6M1G_iFXC0NZ-cFlwvTWxaLYUoQXQZip2SFXy7KSE3eJdRtEqlzIq47EuVTBZWAM8AD5qH4VFZBqplIXdsNbXlwDPyAA"#,
        ],
        quiet: &[r#"sk-ant-api03-xxxx"#, r#"sk-ant-Q5geJ6xZGWtmeTtfosi0"#],
    },
    Fixture {
        id: "huggingface-token",
        path: None,
        fire: &[r#"HF_TOKEN=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"#],
        quiet: &[r#"hf_hub_download(repo_id)"#, r#"hf_MUoTRczcMk"#],
    },
    Fixture {
        id: "shopify-token",
        path: None,
        fire: &[r#"X-Shopify-Access-Token: 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"#],
        quiet: &[r#"shpat_<token>"#, r#"shpat_eae16d4f6185"#],
    },
    Fixture {
        id: "postman-api-key",
        path: None,
        fire: &[r#"x-api-key: PMAK-578715bbd26944ff770e4b94-47a3d54ec6390bf61189639e35aeeb9521"#],
        quiet: &[r#"PMAK-<your-key>"#, r#"PMAK-0ef2a83fdf6a0b29872400c4"#],
    },
    Fixture {
        id: "atlassian-api-token",
        path: None,
        fire: &[
            r#"JIRA_API_TOKEN=ATATT3xFfGF0LVxvnNPWxTODVrVGEhfnZgB_2_uMksDur4Zlf49yBVae2sKjh1Ri4bwvWLa4Sz8kP62tZkhQM1V9rMRdyC5ksV1UE4YHoDxzoCGmyG-D6Cok0j4ron6Yvy8lrVhZEgVfbB6Mpr2lzoTvURbGpEVT-fTmTPoeFGTy5c4oc-ojHx=J9SYJQ8R"#,
        ],
        quiet: &[
            r#"ATATT3xFfGF0..."#,
            r#"ATATT38CabvjFGE3cZ1celN0PRMz1E9kS2Cz"#,
        ],
    },
    Fixture {
        id: "vault-service-token",
        path: None,
        fire: &[
            r#"VAULT_TOKEN=hvs.CAESIDjUQBNqfBvU7Q7XTOaQ9QDcF6fssIXIiHTremz2mUKEsjMRUFSZQhRP9VFEStrAa6Z5YMvisMNGRjykwMT7T2i-OwJ"#,
        ],
        quiet: &[
            r#"VAULT_TOKEN=hvs.xxxxxxxx"#,
            r#"hvs.5qIbWkOrpTbndzCm5Ms3GPgmpUd9iM"#,
        ],
    },
    Fixture {
        id: "vault-batch-token",
        path: None,
        fire: &[
            r#"hvb.AAAAAQgkjRrayIbPdBPPd-ZRwh1flQ_ZG7bdOOh1QulctAslTU2StQDH9eN6JUJqGb8mUtDZldrphAxHUtwudSF4_BSX6BPdnbiZShDW0WCdGcH3EDTAP2JM_Bu9IrMKlQa-FuO5BgAUf4x3rMdotbrMtTmv"#,
        ],
        quiet: &[
            r#"hvb.example"#,
            r#"hvb.DRzfAvP6QTz4v5cLpmYOSaciGMoKBSgUbd5ue4hh"#,
        ],
    },
    Fixture {
        id: "digitalocean-token",
        path: None,
        fire: &[
            r#"DIGITALOCEAN_ACCESS_TOKEN=dop_v1_f4d05743bf2b672850882161db80a1e9ad8cdadc4ccd4078c763211caeae0ffa"#,
        ],
        quiet: &[r#"dop_v1_<token>"#, r#"dop_v1_c7cb2c8a2788fbf742b6"#],
    },
    Fixture {
        id: "doppler-token",
        path: None,
        fire: &[r#"DOPPLER_TOKEN=dp.st.Hk0xpRlj0QDlO8025P36cuyx130BhAjSqygxwQZHHtC"#],
        quiet: &[r#"dp.st.xxxx"#, r#"dp.pt.QfrzsCShCO"#],
    },
    Fixture {
        id: "databricks-token",
        path: None,
        fire: &[r#"DATABRICKS_TOKEN=dapif5404bf7bac806081598a878e2f264d9"#],
        quiet: &[
            r#"dapi<token>"#,
            r#"dapib1ecb19dd8"#,
            r#"mydapib7c46b26a22eccdf03eeddf52ecf4076"#,
        ],
    },
    Fixture {
        id: "docker-config-auth",
        path: None,
        fire: &[
            r#"{"auths": {"registry.example.com": {"auth": "Y2ktYm90OnpJYzdSc0p2WHlYRGhmbzJlSzBh"}}}"#,
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
            r#"{"auths": {"myregistry.azurecr.io": {"identitytoken": "gFf2WnKDd0RmTvE3dJSVA1LiA0d3OjuvmHalIrHq"}}}"#,
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
            r#"//npm.example.com/:_authToken=fuyqQ2tJzG4ARdttp3yZB2Iq"#,
            r#"_auth=dXNlcjp0bWlkbklQeDdEUUY="#,
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
password = TLjx7ZvmD6TJQdUu
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
        fire: &[r#"https://ci-bot:aIeA8K0ucroYCsmTnZLN@git.example.com
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
  password Dz7UCn4ndlB2Oh
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
export STRIPE_WEBHOOK_SECRET="whsec_di34e0MFla7UJVZkFoRURVsZ"
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
            r#"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkRlbW8ifQ.BusAm7mzlg1CG42thrfu5LDOtNHPBtDYePWtLClz7tx"#,
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
            r#"DATABASE_URL=postgres://app:BvRzhc1whQ7nP8HH@db.internal:5432/app"#,
            r#"pip install --index-url https://deploy:esFwbWYF476f@pypi.example.com/simple pkg"#,
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
            r#"API_KEY=mFr3tMLIWfmiErX5W25oL7tcLMg9awm8"#,
            r#"client_secret: "jQtdlvwCEpvVxlhY1tZeUJDgVJhY""#,
            r#""apiKey": "kMzDcccGLgAPSiAK1wexUQUk""#,
        ],
        quiet: &[
            r#"API_KEY=changeme"#,
            r#"PASSWORD_FILE=xkQ8fva1P31Etjqgg4phjFrI"#,
            r#"GPG_KEY_SHA=349699e0cfaf235669cdb72528982e6519c6ebd109b3c4bc31d1847ca1520d0b"#,
            r#"if token == expected_token_IhuDpkKIcGqx8mszJni6:"#,
        ],
    },
];
