// Runtime configuration: `/config.json` (deployed beside the site in AWS), else the local stack's
// `GET /_local/config`. Fields: api_url, aws_endpoint_url, region, user_pool_id, user_pool_client_id,
// demo_accounts (local only).
let loading = null

async function fetchJson(url) {
  const response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } })
  const type = response.headers.get('content-type') || ''
  if (!response.ok || !type.includes('json')) return null
  return response.json()
}

function normalise(raw, source) {
  const config = { ...raw, source }
  config.api_url = String(raw.api_url || window.location.origin).replace(/\/+$/, '')
  config.region = raw.region || 'cn-north-1'
  config.cognito_url = String(
    raw.aws_endpoint_url || `https://cognito-idp.${config.region}.amazonaws.com/`,
  ).replace(/\/?$/, '/')
  config.demo_accounts = Array.isArray(raw.demo_accounts) ? raw.demo_accounts : []
  config.local = source === '/_local/config'
  return config
}

export function loadConfig() {
  if (!loading) {
    loading = (async () => {
      for (const url of ['/config.json', '/_local/config']) {
        try {
          const raw = await fetchJson(url)
          if (raw && raw.user_pool_client_id) return normalise(raw, url)
        } catch {
          // try the next source
        }
      }
      loading = null
      throw new Error('config')
    })()
  }
  return loading
}
