/**
 * pallas-sire: the Sire language in JupyterLab 4. Registers `sire` with the
 * CodeMirror language registry (mime text/x-sire, extension .sire), so that
 * notebook cells of the Sire kernel and .sire files get highlighting, bracket
 * matching and `;` comment toggling; and the `.sire` file type.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

import { sire } from './sire';

export const SIRE_MIME = 'text/x-sire';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'pallas-sire:language',
  description: 'Sire (Pallas) language support: highlighting, brackets, ; comments.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'sire',
      displayName: 'Sire',
      alias: ['rex'],
      mime: SIRE_MIME,
      extensions: ['sire'],
      load: async () => sire()
    });
    app.docRegistry.addFileType({
      name: 'sire',
      displayName: 'Sire',
      extensions: ['.sire'],
      mimeTypes: [SIRE_MIME]
    });
  }
};

export default plugin;
