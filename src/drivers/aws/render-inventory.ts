/** Stack outputs the inventory is made of; the template declares them (see its Outputs). */
export const INVENTORY_OUTPUTS = ["HostAddress", "WarehouseSecretArn", "AirflowSecretArn"] as const;

export interface InventoryParams {
  environment: string;
  stackName: string;
  region: string;
  commit: string;
  /** The stack's outputs by key. */
  outputs: Record<string, string>;
  /** The warehouse's database: the snapshot's, or the template's WarehouseDatabaseName. */
  warehouseDatabase: string;
  /** The image's login user: ubuntu on Canonical's images. */
  sshUser?: string;
}

/** Outputs the inventory needs that the stack lacks (then it cannot be written). */
export function missingInventoryOutputs(outputs: Record<string, string>): string[] {
  return INVENTORY_OUTPUTS.filter((key) => !outputs[key]);
}

/**
 * The Ansible inventory of a shadow node, in the shape of ansible/inventory/shadow.example.yml:
 * one host in the shadow_nodes group with the variables ansible/shadow-node.yml asserts. Holds
 * secret ARNs, never secret values. Every string is a double-quoted YAML scalar (JSON's quoting
 * is valid YAML), so no output value can change the document's structure.
 */
export function renderInventory(params: InventoryParams): string {
  const { outputs } = params;
  const vars: [string, string | number][] = [
    ["ansible_host", outputs.HostAddress ?? ""],
    ["ansible_user", params.sshUser ?? "ubuntu"],
    ["shadowops_environment", params.environment],
    ["shadowops_aws_region", params.region],
    ["shadowops_commit", params.commit],
    ["shadowops_warehouse_secret_arn", outputs.WarehouseSecretArn ?? ""],
    ["shadowops_airflow_secret_arn", outputs.AirflowSecretArn ?? ""],
  ];
  if (outputs.WarehouseEndpoint) vars.push(["shadowops_warehouse_host", outputs.WarehouseEndpoint]);
  if (outputs.WarehousePort && /^\d+$/.test(outputs.WarehousePort)) vars.push(["shadowops_warehouse_port", Number(outputs.WarehousePort)]);
  vars.push(["shadowops_warehouse_database", params.warehouseDatabase]);
  if (outputs.AirflowUrl) vars.push(["shadowops_airflow_base_url", outputs.AirflowUrl]);

  const value = (v: string | number) => (typeof v === "number" ? String(v) : JSON.stringify(v));
  return [
    "---",
    `# Ansible inventory of shadow environment ${params.environment}, written by \`shadowops inventory\``,
    `# from the outputs of stack ${params.stackName} in ${params.region}. Configure the host with:`,
    "#   ansible-playbook -i THIS_FILE ansible/shadow-node.yml -e shadowops_workload_source_dir=CHECKOUT",
    "all:",
    "  children:",
    "    shadow_nodes:",
    "      hosts:",
    `        ${JSON.stringify(params.environment)}:`,
    ...vars.map(([key, v]) => `          ${key}: ${value(v)}`),
    "",
  ].join("\n");
}
