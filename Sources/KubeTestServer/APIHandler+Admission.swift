/// Validating admission on writes of main resources.
extension APIHandler {
    /// Runs the write once as a dry run to get the object as it would be stored (and
    /// whether it would be created), then asks the matching webhooks about it; a refusal
    /// or a failed call under `failurePolicy: Fail` is thrown and nothing is stored.
    func admit(_ type: ResourceType, namespace: String?, name: String?, options: WriteOptions, identity: Identity,
               preview: (WriteOptions) async throws -> WriteResult) async throws {
        guard let admission = settings.admission,
              let configurationType = await cluster.type(group: "admissionregistration.k8s.io", plural: "validatingwebhookconfigurations")
        else { return }
        let configurations = try await cluster.list(configurationType, filter: ListFilter())["items"]?.arrayValue ?? []
        guard !configurations.isEmpty else { return }
        let old = try? await name.asyncMap { try await cluster.get(type, namespace: namespace, name: $0) }
        var dryRun = options
        dryRun.dryRun = true
        let result = try await preview(dryRun)
        let attributes = AdmissionAttributes(
            type: type, operation: result.created ? "CREATE" : "UPDATE", namespace: namespace,
            name: result.object[path: ["metadata", "name"]]?.stringValue ?? name ?? "", object: result.object,
            oldObject: result.created ? nil : old, dryRun: options.dryRun, user: identity)
        try await admission.admit(attributes, configurations: configurations)
    }
}

extension Optional {
    /// `map` with an async transform.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
