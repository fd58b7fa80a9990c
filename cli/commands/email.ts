/**
 * The email channel from the command line:
 *   retain email verify                                     connect and log in to the relay
 *   retain email suppress ADDRESS --reason bounced|complained [--detail TEXT]
 *                                                           a bounce or complaint the provider reported
 */
import type { Command } from 'commander';
import { CliError, config, printJson, withDatabase, withDbOption, type DbOption } from '../context';
import { createEmailChannel } from '../../jobs';
import { EmailPreferenceService } from '../../services/emailPreferences';
import { isEmailAddress } from '../../lib/email';

const REASONS = ['bounced', 'complained'] as const;

export function registerEmail(program: Command): void {
  const email = program.command('email').description('the email channel (docs/email.md)');

  // --db is accepted like everywhere, and not needed: nothing here reads the database.
  withDbOption(
    email
      .command('verify')
      .description('check the email settings and templates, connect to the SMTP relay and log in')
      .option('--json', 'print JSON'),
  ).action(async (opts: DbOption & { json?: boolean }) => {
    const mail = config().mail;
    if (!mail) throw new CliError('email is off: set RETAIN_SMTP_URL and the rest of docs/email.md', 1);
    const channel = createEmailChannel(mail, { maxConnections: 1 });
    try {
      await channel.verify();
    } catch (err) {
      throw new CliError(`the SMTP relay refused: ${(err as Error).message}`, 1);
    } finally {
      channel.close();
    }
    const result = {
      ok: true,
      from: mail.from,
      templates: mail.templatesDir,
      unsubscribe: mail.unsubscribe.baseUrl,
    };
    if (opts.json) printJson(result);
    else process.stdout.write(`The relay accepted the connection; sending as ${mail.from.address}.\n`);
  });

  withDbOption(
    email
      .command('suppress <address>')
      .description(
        'never mail this address again, and stop promotions on every channel for its customers ' +
          '(a hard bounce or a complaint your mail provider reported)',
      )
      .requiredOption('--reason <reason>', `${REASONS.join(' or ')}`)
      .option('--detail <text>', 'what the provider said, for the audit log')
      .option('--json', 'print JSON'),
  ).action(async (address: string, opts: DbOption & { reason: string; detail?: string; json?: boolean }) => {
    if (!(REASONS as readonly string[]).includes(opts.reason))
      throw new CliError(`--reason must be ${REASONS.join(' or ')}`, 2);
    if (!isEmailAddress(address.trim())) throw new CliError(`'${address}' is not an email address`, 2);
    const result = await withDatabase(opts, (store) =>
      new EmailPreferenceService(store).suppress(
        address,
        opts.reason as (typeof REASONS)[number],
        opts.detail ?? null,
        'cli',
      ),
    );
    if (opts.json) printJson(result);
    else
      process.stdout.write(
        `${result.newlySuppressed ? 'Suppressed' : 'Already suppressed'}: ${address}; ` +
          `${result.customers} customer(s) opted out of promotions.\n`,
      );
  });
}
