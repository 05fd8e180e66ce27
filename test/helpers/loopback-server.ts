// The one way test stand-ins listen: 127.0.0.1 on a port the OS chooses, closed with their kept-alive connections.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A server listening on loopback. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  port: number
  /** Stops listening and cuts every open connection (a kept-alive client would otherwise hold close()). */
  close(): Promise<void>
}

/** Starts `server` on 127.0.0.1 with a port chosen by the OS. */
export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
