// sluice-plugin-csv-export: a third-party Sluice plugin built on the public API of @sluice/core.
import { definePlugin } from '@sluice/core'
import { CsvExport, ExportSplitToCsv, version } from './component.js'

export { CsvExport, ExportSplitToCsv, version } from './component.js'
export type { ExportSplitToCsvArgs } from './component.js'

/** The plugin: `sluice` registers it when it finds this package (its `sluice-plugin` keyword). */
export default definePlugin({
  name: 'sluice-plugin-csv-export',
  version,
  coreVersion: '^0.1.0',
  artifactTypes: [CsvExport],
  components: [ExportSplitToCsv],
})
