/**
 * The live connection's state, in the header where it is seen: Amplify's
 * realtime states in words, and a disrupted connection shown as a warning,
 * not small grey text, since live labels stop until it is back.
 */
import { byId } from './dom.ts';

/** What each Amplify ConnectionState means to the viewer, and how loud to say it. */
const states: Readonly<Record<string, { readonly text: string; readonly tone: 'ok' | 'busy' | 'warning' }>> = {
  Connected: { text: 'Live', tone: 'ok' },
  ConnectedPendingKeepAlive: { text: 'Live', tone: 'ok' },
  Connecting: { text: 'Connecting…', tone: 'busy' },
  ConnectedPendingNetwork: { text: 'Network lost: live updates paused', tone: 'warning' },
  ConnectionDisruptedPendingKeepAlive: { text: 'Connection unsteady: live updates may be late', tone: 'warning' },
  ConnectionDisrupted: { text: 'Disconnected: reconnecting… waiting cards catch up once live again', tone: 'warning' },
  ConnectedPendingDisconnect: { text: 'Disconnecting…', tone: 'busy' },
  Disconnected: { text: 'Not connected: live updates stopped', tone: 'warning' },
};

export class ConnectionView {
  private readonly element = byId<HTMLParagraphElement>('connection');

  /** One of Amplify's ConnectionState values. */
  public show(state: string): void {
    const known = states[state] ?? { text: state.replace(/([a-z])([A-Z])/g, '$1 $2'), tone: 'busy' as const };
    this.element.textContent = known.text;
    this.element.dataset.state = state;
    this.element.dataset.tone = known.tone;
  }

  public error(text: string): void {
    this.element.textContent = text;
    this.element.dataset.state = 'error';
    this.element.dataset.tone = 'error';
  }
}
