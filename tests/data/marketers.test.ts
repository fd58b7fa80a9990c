import { openStore } from '../../data/store';
import { runCli } from '../support/cli';
import { describeEachEngine } from '../support/engines';

describeEachEngine('marketer roles', (engine) => {
  it('recognises marketers by channel account, object id, email or email domain; everyone else is a customer', () => {
    const store = openStore(engine.location('roles'));
    try {
      const repo = store.marketers;
      expect(repo.add('channel_user', 'MSTeams:29:1abc', 'Mia', 'test')).toBe(true);
      expect(repo.add('channel_user', 'msteams:29:1abc', null, 'test')).toBe(false); // same rule
      expect(repo.hasEmailRules()).toBe(false);
      repo.add('aad_object', '6F0A2C1E-0000-4000-8000-000000000001', null, 'test');
      repo.add('email', 'Boss@Elsewhere.org', null, 'test');
      repo.add('email_domain', '@example-shop.com', null, 'test');
      expect(repo.hasEmailRules()).toBe(true);

      // Object ids and emails are only believed from Teams, which vouches for them.
      const person = (
        p: Partial<{ channelId: string; channelUserId: string; aadObjectId: string; email: string }>,
      ) => repo.isMarketer({ channelId: 'msteams', channelUserId: 'anon-1', ...p });
      expect(person({ channelId: 'msteams', channelUserId: '29:1abc' })).toBe(true);
      expect(person({ channelId: 'slack', channelUserId: '29:1abc' })).toBe(false);
      expect(person({ aadObjectId: '6f0a2c1e-0000-4000-8000-000000000001' })).toBe(true);
      expect(person({ email: 'boss@elsewhere.org' })).toBe(true);
      expect(person({ email: 'ana@Example-Shop.com' })).toBe(true);
      expect(person({ email: 'ana@example-shop.com.evil.io' })).toBe(false);
      expect(person({ email: 'customer@gmail.com' })).toBe(false);
      expect(person({})).toBe(false);
      for (const channelId of ['webchat', 'directline', 'slack', 'emulator']) {
        expect(person({ channelId, aadObjectId: '6f0a2c1e-0000-4000-8000-000000000001' })).toBe(false);
        expect(person({ channelId, email: 'boss@elsewhere.org' })).toBe(false);
        expect(person({ channelId, email: 'ana@example-shop.com' })).toBe(false);
      }

      expect(repo.remove('email_domain', 'example-shop.com')).toBe(true);
      expect(person({ email: 'ana@example-shop.com' })).toBe(false);
      expect(repo.remove('email_domain', 'example-shop.com')).toBe(false);
    } finally {
      store.close();
    }
  });

  it('refuses rules that could never match anybody, saying why', () => {
    const store = openStore(engine.location('refused'));
    try {
      const repo = store.marketers;
      expect(() => repo.add('channel_user', 'teams:29:1abc', null, 'test')).toThrow(
        /could never match.*'teams' is not a channel.*Teams is 'msteams'/,
      );
      expect(() => repo.add('aad_object', 'mia@example-shop.com', null, 'test')).toThrow(
        /not a Microsoft Entra object id/,
      );
      expect(repo.list()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('retain marketers add|list|remove manages the rules and audits changes', async () => {
    const store = ['--db', engine.location('cli')];
    expect((await runCli(['marketers', 'list', ...store])).stdout).toMatch(/no marketers yet/);
    const added = await runCli([
      'marketers',
      'add',
      '--email-domain',
      'example-shop.com',
      '--note',
      'the team',
      ...store,
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('note: email_domain rules apply only to people on Microsoft Teams');
    await runCli(['marketers', 'add', '--channel-user', 'slack:U024BE7LH', ...store]);
    const list = JSON.parse((await runCli(['marketers', 'list', '--json', ...store])).stdout);
    expect(list).toMatchObject([
      { kind: 'channel_user', value: 'slack:U024BE7LH' },
      { kind: 'email_domain', value: 'example-shop.com', note: 'the team', addedBy: 'cli' },
    ]);

    const bad = await runCli(['marketers', 'add', '--email', 'not-an-email', ...store]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an email address/);
    const two = await runCli(['marketers', 'add', '--email', 'a@b.co', '--email-domain', 'b.co', ...store]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/exactly one/);
    const typo = await runCli(['marketers', 'add', '--channel-user', 'teams:29:1abc', ...store]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/refused: this rule could never match anybody: 'teams' is not a channel/);

    expect((await runCli(['marketers', 'remove', '--channel-user', 'slack:U024BE7LH', ...store])).code).toBe(
      0,
    );
    const again = await runCli(['marketers', 'remove', '--channel-user', 'slack:U024BE7LH', ...store]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no marketer rule/);
    expect(JSON.parse((await runCli(['marketers', 'list', '--json', ...store])).stdout)).toHaveLength(1);
    const conn = openStore(store[1]);
    const audit = conn.audit.recent().map((e) => `${e.action} ${e.subject}`);
    conn.close();
    expect(audit).toEqual([
      'marketers.remove channel_user:slack:U024BE7LH',
      'marketers.add channel_user:slack:U024BE7LH',
      'marketers.add email_domain:example-shop.com',
    ]);
  });
});
