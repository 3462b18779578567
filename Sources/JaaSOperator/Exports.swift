// The custom resources' model (JaaSOperatorAPI) is part of the operator's interface:
// whoever imports the operator sees the spec, the names and the event recorder too.
@_exported import JaaSOperatorAPI
