// The files of a serving bundle besides the tfjs model's (file-system-handler.ts), in one module that
// both the writer and the reader import.
import path from 'node:path'

/** The serving signature inside a bundle. */
export const SIGNATURE_FILE = 'signature.json'
/** The copy of the fitted transform inside a bundle. */
export const BUNDLE_TRANSFORM_FILE = path.join('transform', 'fitted_transform.json')
/** The ONNX export of the model, when its layers allow one. */
export const ONNX_MODEL_FILE = 'model.onnx'
