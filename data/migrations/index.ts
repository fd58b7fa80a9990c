import * as initial from './001-initial';
import * as campaignDelivery from './002-campaign-delivery';
import * as emailContacts from './006-email-contacts';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

/**
 * Every schema change the database has ever had, in order. Never edit a released migration:
 * add a new one with the next version. The version applied is kept in PRAGMA user_version.
 */
export const migrations: Migration[] = [
  { version: 1, name: 'initial', up: initial.up },
  { version: 2, name: 'campaign-delivery', up: campaignDelivery.up },
  { version: 6, name: 'email-contacts', up: emailContacts.up },
];
