// Writes package.json's contributes.configuration and the untrusted-workspace restricted settings from the settings JSON schema in the server core,
// so the manifest and the server never disagree (test/unit/settings.test.ts checks it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestProperties, restrictedSettings } from '../server/src/core/settings';

const file = join(__dirname, '..', '..', 'package.json');
const pkg = JSON.parse(readFileSync(file, 'utf8'));
pkg.contributes.configuration = { title: 'FlowMage', properties: manifestProperties() };
pkg.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedSettings();
writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${Object.keys(pkg.contributes.configuration.properties).length} settings`);
