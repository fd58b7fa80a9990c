/**
 * Every example retain offers, sent through the real bot on the demo data as a user sends it: the
 * bot's own help, the README's "What people can say", the demo page's first questions and the
 * Teams manifest's commands. Each must get an answer, not a clarifying question, a refusal or an
 * error. Follow-ups ("and in France?", "why?") are sent after a question they can follow.
 */
import fs from 'node:fs';
import { projectPath } from '../../lib/paths';
import { SERVER_START_TIMEOUT, startWebChatServer, type WebChatServer } from './webChatServer';
import { WebChatClient, shownText } from '../support/directLineClient';

/** What a person would read as "it did not understand me" or "it broke". */
const FAILED =
  /not sure what you mean|can't help with that|only the shop's team|not available|cannot answer that|internal error|I don't know customer|something went wrong/i;
const FOLLOW_UP = /^(and |what about|how about|show me more|sort by|only |why\?|export that)/i;
/** Questions a follow-up can follow, per kind of follow-up. */
const AFTER_FIGURES = 'revenue by country this year';
const AFTER_CUSTOMER = 'what is customer 15061 worth?';

function quotes(text: string): string[] {
  return [...text.matchAll(/"([^"\n]{2,120})"/g)].map((m) => m[1]);
}

/** The README's examples, per role, from its "What people can say" section. */
function readmeExamples(): { marketer: string[]; customer: string[] } {
  const readme = fs.readFileSync(projectPath('README.md'), 'utf8');
  const section = readme.split('## What people can say')[1].split('\n## ')[0];
  const [marketer, customer] = section.split('**Customers**');
  return { marketer: quotes(marketer), customer: quotes(customer) };
}

function teamsCommands(): string[] {
  const manifest = JSON.parse(fs.readFileSync(projectPath('appPackage', 'manifest.json'), 'utf8')) as {
    bots: Array<{ commandLists: Array<{ commands: Array<{ title: string }> }> }>;
  };
  return manifest.bots.flatMap((b) => b.commandLists.flatMap((l) => l.commands.map((c) => c.title)));
}

describe('every example retain offers works on the demo data, through the real bot', () => {
  let server: WebChatServer;

  beforeAll(async () => {
    server = await startWebChatServer();
  }, SERVER_START_TIMEOUT);
  afterAll(async () => server?.stop());

  /** Sends each example in one conversation; follow-ups after a question they can follow. */
  async function check(identity: string, examples: string[]): Promise<string[]> {
    const chat = await WebChatClient.open(server.url, identity);
    const failures: string[] = [];
    for (const example of [...new Set(examples)]) {
      if (FOLLOW_UP.test(example)) await chat.say(/^why\?$/i.test(example) ? AFTER_CUSTOMER : AFTER_FIGURES);
      const answer = shownText(await chat.say(example));
      if (!answer.trim() || FAILED.test(answer)) failures.push(`"${example}" → ${answer.slice(0, 200)}`);
      // Whatever question a multi-turn answer asked is left: the next example starts afresh.
      await chat.say('cancel');
    }
    return failures;
  }

  it("the bot's own help, for marketers and customers", async () => {
    const marketerHelp = shownText(await (await WebChatClient.open(server.url, 'marketer')).say('help'));
    const customerHelp = shownText(await (await WebChatClient.open(server.url, firstCustomer())).say('help'));
    const examples = quotes(marketerHelp);
    expect(examples.length).toBeGreaterThan(15);
    expect(await check('marketer', examples)).toEqual([]);
    expect(await check(firstCustomer(), quotes(customerHelp))).toEqual([]);
  }, 300_000);

  it("the README's examples", async () => {
    const { marketer, customer } = readmeExamples();
    expect(marketer.length).toBeGreaterThan(20);
    expect(await check('marketer', marketer)).toEqual([]);
    expect(await check(firstCustomer(), customer)).toEqual([]);
  }, 300_000);

  it("the demo page's first questions, for every identity it offers", async () => {
    const res = await fetch(`${server.url}/webchat/identities`);
    const { identities } = (await res.json()) as { identities: Array<{ key: string }> };
    for (const { key } of identities) {
      const chat = await WebChatClient.open(server.url, key);
      expect(chat.session.suggestions.length).toBeGreaterThan(2);
      expect(await check(key, chat.session.suggestions)).toEqual([]);
    }
  }, 300_000);

  it("the Teams app's commands", async () => {
    const commands = teamsCommands();
    expect(commands.length).toBeGreaterThan(5);
    expect(await check('marketer', commands)).toEqual([]);
  }, 300_000);

  function firstCustomer(): string {
    return customerKey;
  }
  let customerKey = 'customer:15061';
  beforeAll(async () => {
    const res = await fetch(`${server.url}/webchat/identities`);
    const { identities } = (await res.json()) as { identities: Array<{ key: string; role: string }> };
    customerKey = identities.find((i) => i.role === 'customer')?.key ?? customerKey;
  });
});
