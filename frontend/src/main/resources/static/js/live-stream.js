// An EventSource that survives network blips. The browser retries a dropped stream by itself (sending
// Last-Event-ID); when the server answered with an error the browser gives up, so this reopens it with the last
// event id it saw, backing off, and says so quietly in the header.
import { EVENT_TYPES } from './vocabulary.js';

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

export class LiveStream {
  constructor(url, { onEvent, onOpen = () => {}, onReset = () => {}, indicator = null }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onReset = onReset;
    this.indicator = indicator;
    this.lastEventId = null;
    this.failures = 0;
    this.interrupted = false;
    this.source = null;
    this.timer = null;
    this.settle = null;
    // closed: for good (close()); suspended: while the page sits in the back/forward cache.
    this.closed = false;
    this.suspended = false;
  }

  start() {
    // A page left for another keeps its stream open while the browser holds it for "back" (the back/forward cache),
    // and a browser opens at most six connections to one server over HTTP/1.1: a few such pages and the next one's
    // requests wait forever. So the stream closes when the page is hidden that way and resumes when it is shown.
    addEventListener('pagehide', () => {
      if (this.closed || !this.source) return;
      clearTimeout(this.timer);
      this.source.close();
      this.source = null;
      this.suspended = true;
    });
    addEventListener('pageshow', (event) => {
      if (event.persisted && this.suspended && !this.closed) {
        this.suspended = false;
        this.open();
      }
    });
    this.open();
    return this;
  }

  close() {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    this.closed = true;
  }

  open() {
    if (this.closed) return;
    const separator = this.url.includes('?') ? '&' : '?';
    const url = this.lastEventId ? `${this.url}${separator}last_event_id=${encodeURIComponent(this.lastEventId)}` : this.url;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener('open', () => {
      const resumed = this.interrupted;
      this.failures = 0;
      this.interrupted = false;
      this.show(resumed ? 'reconnected' : 'live');
      this.onOpen({ resumed });
    });
    source.addEventListener('error', () => {
      if (this.closed) return;
      this.interrupted = true;
      this.show('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
        this.failures += 1;
        this.timer = setTimeout(() => this.open(), delay);
      }
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => {
        if (event.lastEventId) this.lastEventId = event.lastEventId;
        this.onEvent(type, JSON.parse(event.data));
      });
    }
    // The server sends "reset" when the id it was given is older than it keeps: start over from the current state.
    source.addEventListener('reset', () => {
      this.lastEventId = null;
      source.close();
      this.onReset();
      this.open();
    });
  }

  show(state) {
    if (!this.indicator) return;
    const words = { live: 'Live', reconnecting: 'Connection lost — reconnecting…', reconnected: 'Reconnected' };
    this.indicator.dataset.state = state;
    this.indicator.querySelector('.connection-text').textContent = words[state];
    clearTimeout(this.settle);
    if (state === 'reconnected') {
      this.settle = setTimeout(() => this.show('live'), 4000);
    }
  }
}
