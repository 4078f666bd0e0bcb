/**
 * Credentials as they reach obsweave: a whole value (a URL, a header, a pair, a bare key) and
 * the parts of it that must never be seen again, in any output, log line, header or error.
 */
export interface Secret {
  readonly name: string;
  readonly value: string;
  readonly parts: readonly string[];
}

export const SECRET_CORPUS: readonly Secret[] = [
  {
    name: 'S3 presigned URL',
    value:
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    parts: ['aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404', 'AKIAIOSFODNN7'],
  },
  {
    name: 'GCS signed URL',
    value:
      'https://storage.googleapis.com/example-bucket/cat.jpeg?X-Goog-Algorithm=GOOG4-RSA-SHA256' +
      '&X-Goog-Credential=example%40example-project.iam.gserviceaccount.com%2F20181026%2Fauto' +
      '&X-Goog-Date=20181026T181309Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host' +
      '&X-Goog-Signature=247a2aa45f169edf4d187d54e7cc46e4731b1e6273242c4f4c39a1d2507a0e58706e25e3',
    parts: ['247a2aa45f169edf4d187d54e7cc46e4731b1e62', 'example-project.iam'],
  },
  {
    name: 'Azure SAS URL',
    value:
      'https://acct.blob.core.windows.net/sascontainer/sasblob.txt?sv=2019-02-02' +
      '&st=2019-04-29T22%3A18%3A26Z&se=2019-04-30T02%3A23%3A26Z&sr=b&sp=rw&spr=https' +
      '&sig=Z%2FRHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk%3D',
    parts: ['RHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk'],
  },
  {
    name: 'JWT',
    value:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0' +
      '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    parts: ['eyJzdWIiOiIxMjM0NTY3ODkw', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', 'eyJhbGci'],
  },
  {
    name: 'bearer credential',
    value: 'Bearer mF_9.B5f-4.1JqMxYz8Q2w7rT0kLp3',
    parts: ['mF_9.B5f-4.1JqMxYz8Q2w7rT0kLp3', 'JqMxYz8Q2w7rT0kLp3'],
  },
  {
    name: 'basic credential',
    value: 'Basic YWRtaW46aHVudGVyMnNlY3JldFBX',
    parts: ['YWRtaW46aHVudGVyMnNlY3JldFBX'],
  },
  {
    name: 'basic-auth userinfo',
    value: 'https://admin:hunter2secretPW@internal.example.com/data',
    parts: ['hunter2secretPW'],
  },
  {
    name: 'password in a redis URL',
    value: 'redis://:s3cr3tRedisPw@cache.internal:6379/0',
    parts: ['s3cr3tRedisPw'],
  },
  {
    name: 'API key in a query',
    value: '/search?q=shoes&api_key=k3y-1q2w3e4r5t6y7u8i9o0p',
    parts: ['k3y-1q2w3e4r5t6y7u8i9o0p'],
  },
  {
    name: 'AWS access key id',
    value: 'AKIAI44QH8DHBEXAMPLE',
    parts: ['AKIAI44QH8', 'QH8DHBEXAMPLE'],
  },
  {
    name: 'AWS temporary access key id',
    value: 'ASIAY34FZKBOKMUTVV7A',
    parts: ['ASIAY34FZK', 'FZKBOKMUTVV7A'],
  },
  {
    name: 'GitHub personal token',
    value: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
    parts: ['ghp_16C7', '16C7e42F292c6912E7710c838347Ae178B4a'],
  },
  {
    name: 'GitHub OAuth token',
    value: 'gho_Bq4RkTn7ZpWx2Lm9Ys5Vc3Hd8Fj6Ga1Ne0Ku',
    parts: ['gho_Bq4R', 'Bq4RkTn7ZpWx2Lm9Ys5Vc3Hd8Fj6Ga1Ne0Ku'],
  },
  {
    name: 'GitHub fine-grained token',
    value:
      'github_pat_11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567',
    parts: ['github_pat_11A', 'mNoPqRsTuVwXyZ0123456789'],
  },
  {
    name: 'Stripe secret key',
    value: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    parts: ['sk_live_4eC3', '4eC39HqLyjWDarjtT1zdp7dc'],
  },
  {
    name: 'Stripe restricted key',
    value: 'rk_live_51HxYzAbCdEfGhIjKlMnOpQr',
    parts: ['rk_live_51H', '51HxYzAbCdEfGhIjKlMnOpQr'],
  },
  {
    name: 'Google API key',
    value: 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
    parts: ['AIzaSyDa', 'GmWKa4JsXZ-HjGw7ISLn_3namBGewQe'],
  },
  {
    name: 'Slack bot token',
    value: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    parts: ['xoxb-1234', 'AbCdEfGhIjKlMnOpQrStUvWx'],
  },
  {
    name: 'Slack user token',
    value: 'xoxp-4021-8812-qazwsxedcv',
    parts: ['xoxp-4021', 'qazwsxedcv'],
  },
  { name: 'password pair', value: 'password=hunter2', parts: ['hunter2'] },
  { name: 'secret pair', value: 'client_secret=Sup3rS3cretValue', parts: ['Sup3rS3cretValue'] },
  { name: 'token pair', value: 'refresh_token=rt.Aq1Sw2De3', parts: ['rt.Aq1Sw2De3', 'Aq1Sw2De3'] },
  { name: 'camel-case pair', value: 'dbPassword=pa55word', parts: ['pa55word'] },
  { name: 'pair with a colon', value: 'password: correct-horse', parts: ['correct-horse'] },
  {
    name: 'pair with a colon, no space',
    value: 'password:Hunt3rN0Space',
    parts: ['Hunt3rN0Space'],
  },
  {
    name: 'URL-encoded userinfo',
    value: 'https://admin%3AEncS3cretPw@db.example.com/x',
    parts: ['EncS3cretPw'],
  },
  {
    name: 'URL percent-encoded whole, with userinfo',
    value: 'https%3A%2F%2Fadmin%3AWholeEnc0dedPw%40db.example.com%2Fx',
    parts: ['WholeEnc0dedPw'],
  },
  {
    name: 'bare userinfo with a port',
    value: 'admin:BareP4ssw0rd@db.internal:5432',
    parts: ['BareP4ssw0rd'],
  },
  { name: 'bare userinfo', value: 'svc:plainpassword@cache', parts: ['plainpassword'] },
  {
    name: 'Slack webhook path',
    // Slack's own example: too regular for the token rule, a secret by where it is.
    value: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    parts: ['XXXXXXXXXXXXXXXXXXXXXXXX', 'T00000000/B00000000'],
  },
  {
    name: 'JSON pair',
    value: '{"user":"bob","password":"correct horse battery staple"}',
    parts: ['correct horse', 'battery staple'],
  },
];

/** Every part of every secret: what no output may hold. */
export const ALL_PARTS: readonly string[] = SECRET_CORPUS.flatMap((s) => s.parts);

/** The parts of `secrets` that `text` holds, decoded forms included; empty when it is clean. */
export function leaks(text: string, parts: readonly string[] = ALL_PARTS): string[] {
  const decoded = safeDecode(text);
  return parts.filter((p) => text.includes(p) || decoded.includes(p));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
