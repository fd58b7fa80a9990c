import type { Command } from 'commander';
import { CliError, printJson, withDatabase, withDbOption, type DbOption } from '../context';
import {
  RULE_CHANNELS,
  ruleScope,
  unmatchableRule,
  type MarketerMatchKind,
} from '../../data/repositories/marketers';

interface RuleOptions extends DbOption {
  channelUser?: string;
  aadObject?: string;
  email?: string;
  emailDomain?: string;
  note?: string;
  json?: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^@?[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

function withRuleOptions(cmd: Command): Command {
  return withDbOption(
    cmd
      .option('--channel-user <channel:id>', 'a chat account, e.g. msteams:29:1a2b... or slack:U024BE7LH')
      .option('--aad-object <id>', 'a Microsoft Entra user object id (Teams users only)')
      .option('--email <address>', 'one email address (Teams users only: their verified sign-in name)')
      .option(
        '--email-domain <domain>',
        'everyone whose email is in this domain, e.g. example-shop.com (Teams users only)',
      )
      .option('--json', 'print the result as JSON'),
  );
}

/** Exactly one way of naming who is meant, validated. */
function ruleFrom(opts: RuleOptions): { kind: MarketerMatchKind; value: string } {
  const given = (
    [
      ['channel_user', opts.channelUser],
      ['aad_object', opts.aadObject],
      ['email', opts.email],
      ['email_domain', opts.emailDomain],
    ] as Array<[MarketerMatchKind, string | undefined]>
  ).filter(([, v]) => v !== undefined);
  if (given.length !== 1) {
    throw new CliError('name exactly one of --channel-user, --aad-object, --email, --email-domain', 2);
  }
  const [kind, value] = given[0] as [MarketerMatchKind, string];
  if (kind === 'channel_user' && !/^[^:\s]+:\S+/.test(value)) {
    throw new CliError(
      `--channel-user '${value}' must look like <channel>:<user id>, e.g. msteams:29:1a2b`,
      2,
    );
  }
  if (kind === 'email' && !EMAIL.test(value))
    throw new CliError(`--email '${value}' is not an email address`, 2);
  if (kind === 'email_domain' && !DOMAIN.test(value))
    throw new CliError(`--email-domain '${value}' is not a domain`, 2);
  const why = unmatchableRule(kind, value);
  if (why) throw new CliError(`refused: this rule could never match anybody: ${why}`, 2);
  return { kind, value };
}

export function registerMarketers(program: Command): void {
  const group = program
    .command('marketers')
    .description('who may use the marketer reports and campaigns (everyone else is a customer)');

  withRuleOptions(group.command('add').description('make a person (or an email domain) a marketer'))
    .option('--note <text>', 'who this is, for the list')
    .action(async (opts: RuleOptions) => {
      const rule = ruleFrom(opts);
      const added = await withDatabase(opts, (store) => {
        const ok = store.marketers.add(rule.kind, rule.value, opts.note ?? null, 'cli');
        if (ok)
          store.audit.write('cli', 'marketers.add', `${rule.kind}:${rule.value}`, {
            note: opts.note,
          });
        return ok;
      });
      // Said every time: an email rule that silently never matches a Slack user is worse than none.
      const scope = `${rule.kind} rules apply ${ruleScope(rule.kind)}`;
      if (opts.json) printJson({ ...rule, added, channels: RULE_CHANNELS[rule.kind], scope });
      else
        process.stdout.write(
          (added
            ? `added marketer ${rule.kind} ${rule.value}\n`
            : `already a marketer: ${rule.kind} ${rule.value}\n`) +
            (RULE_CHANNELS[rule.kind] === 'any' ? '' : `note: ${scope}\n`),
        );
    });

  withRuleOptions(group.command('remove').description('remove a marketer rule')).action(
    async (opts: RuleOptions) => {
      const rule = ruleFrom(opts);
      const removed = await withDatabase(opts, (store) => {
        const ok = store.marketers.remove(rule.kind, rule.value);
        if (ok) store.audit.write('cli', 'marketers.remove', `${rule.kind}:${rule.value}`);
        return ok;
      });
      if (opts.json) printJson({ ...rule, removed });
      else if (!removed) throw new CliError(`no marketer rule ${rule.kind} ${rule.value}`, 1);
      else process.stdout.write(`removed marketer ${rule.kind} ${rule.value}\n`);
    },
  );

  withDbOption(
    group.command('list').description('list the marketer rules').option('--json', 'print as JSON'),
  ).action(async (opts: DbOption & { json?: boolean }) => {
    const rules = await withDatabase(opts, (store) => store.marketers.list());
    if (opts.json) return printJson(rules);
    if (rules.length === 0) {
      process.stdout.write(
        'no marketers yet: add one with `retain marketers add --email you@your-shop.com`\n',
      );
      return;
    }
    for (const r of rules) {
      process.stdout.write(
        `${r.kind.padEnd(13)} ${r.value}${r.note ? `  (${r.note})` : ''}  added ${r.addedAt.slice(0, 10)}\n`,
      );
    }
  });
}
