/**
 * The shop's email templates (data/templates/email by default, RETAIN_MAIL_TEMPLATES to use a
 * copy): Handlebars files for the subject, the plain-text part and the HTML part of every campaign
 * message. `{{value}}` is HTML-escaped in the HTML part (names and products may hold <, &, quotes);
 * the subject and text parts are plain text and are not. Templates are compiled and tried on a
 * sample message when retain starts, so a broken template stops the start, not a send.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { SAMPLE_VIEW, type EmailView } from './emailView';

export const TEMPLATE_FILES = {
  subject: 'campaign.subject.hbs',
  text: 'campaign.text.hbs',
  html: 'campaign.html.hbs',
} as const;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export class TemplateError extends Error {
  readonly exitCode = 2;
}

export type EmailTemplates = (view: EmailView) => RenderedEmail;

/** Longer subjects are cut by every mail client anyway. */
const MAX_SUBJECT = 200;

export function loadEmailTemplates(dir: string): EmailTemplates {
  // Helpers registered here stay here: the shop's templates get only Handlebars' own.
  const hb = Handlebars.create();
  const compile = (part: keyof typeof TEMPLATE_FILES, escape: boolean) => {
    const file = path.join(dir, TEMPLATE_FILES[part]);
    let source: string;
    try {
      source = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new TemplateError(`cannot read the email template ${file}: ${(err as Error).message}`);
    }
    try {
      const template = hb.compile(source, { noEscape: !escape, strict: false });
      template(SAMPLE_VIEW);
      return template;
    } catch (err) {
      throw new TemplateError(`the email template ${file} is not valid: ${(err as Error).message}`);
    }
  };
  const subject = compile('subject', false);
  const text = compile('text', false);
  const html = compile('html', true);
  return (view) => ({
    // A subject is one line: whatever the template leaves between words becomes one space.
    subject: subject(view).replace(/\s+/g, ' ').trim().slice(0, MAX_SUBJECT),
    text:
      text(view)
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n',
    html: html(view),
  });
}
