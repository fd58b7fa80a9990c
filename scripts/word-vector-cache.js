#!/usr/bin/env node
'use strict';
// Run by `npm install` (prepare): turns the word-vector package into its cache now (about 4 s
// and 1 GB, once), so neither the first start nor parallel test workers pay for it later.
const { wordVectors } = require('../dist/nlp/text/wordVectors');

wordVectors();
