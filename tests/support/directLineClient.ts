/**
 * A chat through the bot's local Direct Line endpoint, as the web chat page talks to it: a session
 * for one of the page's identities, a conversation, and messages whose replies are read back by
 * watermark. Used by tests that must meet the bot exactly as a user does.
 */
export interface ChatActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; name?: string; role?: string };
  attachments?: Array<{ contentType: string; content?: unknown; contentUrl?: string; name?: string }>;
  suggestedActions?: { actions: Array<{ title: string; value: unknown }> };
  replyToId?: string;
}

export interface ChatSession {
  token: string;
  conversationId: string;
  user: { id: string; name: string };
  role: string;
  suggestions: string[];
}

export class WebChatClient {
  private watermark = '';

  private constructor(
    readonly url: string,
    readonly session: ChatSession,
  ) {}

  /** Opens a session as one of the page's identities ("marketer", "customer:12345", "visitor"). */
  static async open(url: string, identity: string): Promise<WebChatClient> {
    const res = await fetch(`${url}/webchat/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity }),
    });
    if (res.status !== 200)
      throw new Error(`session for ${identity}: HTTP ${res.status} ${await res.text()}`);
    const client = new WebChatClient(url, (await res.json()) as ChatSession);
    const started = await fetch(`${url}/v3/directline/conversations`, {
      method: 'POST',
      headers: client.auth(),
    });
    if (started.status !== 201 && started.status !== 200)
      throw new Error(`start conversation: HTTP ${started.status}`);
    await client.poll();
    return client;
  }

  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.session.token}` };
  }

  /** Activities since the last poll. */
  async poll(): Promise<ChatActivity[]> {
    const res = await fetch(
      `${this.url}/v3/directline/conversations/${this.session.conversationId}/activities?watermark=${this.watermark}`,
      { headers: this.auth() },
    );
    if (res.status !== 200) throw new Error(`poll: HTTP ${res.status}`);
    const body = (await res.json()) as { activities: ChatActivity[]; watermark: string };
    this.watermark = body.watermark;
    return body.activities;
  }

  /**
   * Sends a message and returns the bot's replies to it (the bot answers before the POST returns).
   * Told to slow down (429), it waits as long as Retry-After says, as a chat client does.
   */
  async say(text: string): Promise<ChatActivity[]> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(
        `${this.url}/v3/directline/conversations/${this.session.conversationId}/activities`,
        {
          method: 'POST',
          headers: { ...this.auth(), 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'message', text }),
        },
      );
      if (res.status === 429 && attempt < 10) {
        await res.text();
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await new Promise((r) => setTimeout(r, Math.max(1, wait) * 1000));
        continue;
      }
      if (res.status !== 200) throw new Error(`say "${text}": HTTP ${res.status} ${await res.text()}`);
      return (await this.poll()).filter((a) => a.from.role === 'bot');
    }
  }
}

/** Everything a reply shows a person: its text, buttons and cards, as one string. */
export function shownText(replies: ChatActivity[]): string {
  return replies
    .map((r) =>
      [
        r.text ?? '',
        ...(r.suggestedActions?.actions ?? []).map((a) => `[${a.title}]`),
        ...(r.attachments ?? []).map((a) => JSON.stringify(a.content ?? a.name ?? '')),
      ].join(' '),
    )
    .join('\n');
}
