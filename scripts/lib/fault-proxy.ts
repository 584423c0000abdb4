// A loopback HTTP proxy in front of the test registry that injects the faults a release must
// survive, so the release code itself has no test switches. Each request is passed through, or
// answered by `rule` with an error status, dropped (the connection closed without an answer),
// or held (never forwarded, never answered) until the proxy closes.
import { createServer, type IncomingMessage, request, type Server } from 'node:http'

export type Action = 'pass' | 'drop' | 'hold' | { status: number }

export interface ProxiedRequest {
  method: string
  path: string
  /** How many publishes (PUT of a package document) came before this one, for a PUT. */
  publishIndex?: number
}

export interface FaultProxy {
  url: string
  /** Decides each request's fate; `pass` by default. */
  rule: (r: ProxiedRequest) => Action
  /** Every request seen, as `METHOD path → action`. */
  seen: string[]
  /** Resolves at the next request the rule holds. */
  nextHold: () => Promise<ProxiedRequest>
  /** Forwards every request held so far, as if the registry had only been slow. */
  releaseHeld: () => void
  close: () => Promise<void>
}

/** Starts a proxy on 127.0.0.1 in front of `target` (an http URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target)
  let publishes = 0
  const held: Array<{ incoming: IncomingMessage; forward: () => void }> = []
  let onHold: ((r: ProxiedRequest) => void) | undefined
  const proxy: FaultProxy = {
    url: '',
    rule: () => 'pass',
    seen: [],
    nextHold: () => new Promise((resolve) => (onHold = resolve)),
    releaseHeld: () => {
      for (const h of held.splice(0)) h.forward()
    },
    close: () =>
      new Promise((resolve) => {
        for (const h of held.splice(0)) h.incoming.socket.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server: Server = createServer((incoming, answer) => {
    const path = incoming.url ?? '/'
    const method = incoming.method ?? 'GET'
    // npm publish is one PUT of the package document (with the tarball inside) to /<name>.
    const isPublish = method === 'PUT' && !path.startsWith('/-/')
    const r: ProxiedRequest = { method, path, ...(isPublish ? { publishIndex: publishes } : {}) }
    const action = proxy.rule(r)
    proxy.seen.push(`${method} ${path} → ${typeof action === 'string' ? action : action.status}`)
    if (action === 'drop') {
      incoming.socket.destroy()
      return
    }
    const forward = () => {
      if (isPublish) publishes += 1
      const forwarded = request({ host: upstream.hostname, port: upstream.port, method, path, headers: incoming.headers }, (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(answer)
      })
      forwarded.on('error', () => answer.destroy())
      incoming.pipe(forwarded)
    }
    if (action === 'hold') {
      incoming.pause()
      held.push({ incoming, forward })
      onHold?.(r)
      onHold = undefined
      return
    }
    if (typeof action === 'object') {
      incoming.resume()
      answer.writeHead(action.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `injected ${action.status}` }))
      return
    }
    forward()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`
  return proxy
}
