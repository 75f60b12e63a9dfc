// The peer of bench/ws_compare.py: a ws 8 WebSocket echo server, configured as ours is (no
// compression, the same message limit), on 127.0.0.1. Prints {"port": N} once listening.
//   node echo.mjs [PORT]
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  path: '/echo',
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
process.on('SIGTERM', () => process.exit(0));
