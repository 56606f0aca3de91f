// Prints the README's configuration table from the config schema: `pnpm docs:config`.
import { configTable } from '../src/config-docs.js';

process.stdout.write(configTable());
