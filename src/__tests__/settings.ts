// The plugin's settings for the unit tests: JupyterLab's own SettingRegistry over schema/plugin.json, saved in memory rather than on a server.
import { ISettingRegistry, SettingRegistry } from '@jupyterlab/settingregistry';
import type { IDataConnector } from '@jupyterlab/statedb';

import schema from '../../schema/plugin.json';
import { PLUGIN_ID } from '../tokens';

/** Keeps the plugin's user settings (their raw JSON5 text) in memory. */
export class MemoryConnector implements IDataConnector<
  ISettingRegistry.IPlugin,
  string
> {
  constructor(public raw = '{}') {}

  async fetch(id: string): Promise<ISettingRegistry.IPlugin | undefined> {
    if (id !== PLUGIN_ID) {
      return undefined;
    }
    return {
      id,
      schema: schema as unknown as ISettingRegistry.ISchema,
      raw: this.raw,
      data: { composite: {}, user: {} },
      version: '0.1.0'
    };
  }

  async list(): Promise<{ ids: string[]; values: ISettingRegistry.IPlugin[] }> {
    return { ids: [], values: [] };
  }

  async remove(): Promise<void> {
    this.raw = '{}';
  }

  async save(_id: string, raw: string): Promise<void> {
    this.raw = raw;
  }
}

/** The plugin's settings, loaded through a real registry (the schema validates every write). */
export async function pluginSettings(raw = '{}'): Promise<{
  settings: ISettingRegistry.ISettings;
  connector: MemoryConnector;
}> {
  const connector = new MemoryConnector(raw);
  const registry = new SettingRegistry({ connector });
  return { settings: await registry.load(PLUGIN_ID), connector };
}
