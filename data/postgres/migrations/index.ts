import * as initial from './001-initial';
import * as campaignDelivery from './002-campaign-delivery';
import * as shopFacts from './003-shop-facts';
import * as verificationAndErasure from './004-verification-and-erasure';
import * as campaignMemberUplift from './005-campaign-member-uplift';
import * as emailContacts from './006-email-contacts';
import * as erasedEmails from './007-erased-emails';
import * as jobRuns from './008-job-runs';
import * as verifyCodes from './009-verify-codes';
import type { Migration } from '../../migrations';

/**
 * The PostgreSQL schema, version for version the SQLite one (data/migrations), in PostgreSQL's
 * dialect. A new SQLite migration needs its PostgreSQL twin here under the same version: the
 * test that keeps both in step (tests/data/postgresMigrations.test.ts) fails until it has one.
 */
export const postgresMigrations: Migration[] = [
  { version: 1, name: 'initial', up: initial.up },
  { version: 2, name: 'campaign-delivery', up: campaignDelivery.up },
  { version: 3, name: 'shop-facts', up: shopFacts.up },
  { version: 4, name: 'verification-and-erasure', up: verificationAndErasure.up },
  { version: 5, name: 'campaign-member-uplift', up: campaignMemberUplift.up },
  { version: 6, name: 'email-contacts', up: emailContacts.up },
  { version: 7, name: 'erased-emails', up: erasedEmails.up },
  { version: 8, name: 'job-runs', up: jobRuns.up },
  { version: 9, name: 'verify-codes', up: verifyCodes.up },
];
