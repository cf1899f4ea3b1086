import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the topic-level config definitions of the Kafka jars on the class path as JSON: the broker's own
 * LogConfig ConfigDef (name, type, default, and the validator as data: numeric range, valid values).
 * Run by scripts/topic-configs/generate.sh; reads private validator fields by reflection because ConfigDef
 * exposes them only through toString().
 */
public class DumpTopicConfigs {
  public static void main(String[] args) throws Exception {
    Class<?> logConfig = Class.forName("org.apache.kafka.storage.internals.log.LogConfig");
    @SuppressWarnings("unchecked")
    Map<String, Object> keys = (Map<String, Object>) keysOf(logConfig);
    StringBuilder out = new StringBuilder("{\n");
    boolean first = true;
    for (Map.Entry<String, Object> entry : new TreeMap<>(keys).entrySet()) {
      Object key = entry.getValue();
      if ((boolean) field(key, "internalConfig")) continue;
      if (!first) out.append(",\n");
      first = false;
      out.append("  ").append(quote(entry.getKey())).append(": {");
      out.append("\"type\": ").append(quote(String.valueOf(field(key, "type")).toLowerCase()));
      Object defaultValue = field(key, "defaultValue");
      out.append(", \"default\": ").append(defaultValue == null ? "null" : quote(render(defaultValue)));
      Object validator = field(key, "validator");
      if (validator != null) out.append(", \"validator\": ").append(describe(validator));
      out.append("}");
    }
    out.append("\n}\n");
    System.out.print(out);
  }

  /** LogConfig.configKeys() (Kafka 3.6+), else the keys of its ConfigDef. */
  private static Object keysOf(Class<?> logConfig) throws Exception {
    try {
      return logConfig.getMethod("configKeys").invoke(null);
    } catch (NoSuchMethodException e) {
      Object def = logConfig.getMethod("configDefCopy").invoke(null);
      Method configKeys = def.getClass().getMethod("configKeys");
      return configKeys.invoke(def);
    }
  }

  private static String describe(Object validator) throws Exception {
    String kind = validator.getClass().getName().replaceAll("^.*[.$]", "");
    String text = quote(String.valueOf(validator));
    switch (kind) {
      case "Range": {
        Object min = field(validator, "min");
        Object max = field(validator, "max");
        return "{\"kind\": \"range\"" + (min != null ? ", \"min\": " + min : "") + (max != null ? ", \"max\": " + max : "")
            + ", \"text\": " + text + "}";
      }
      case "ValidString":
        return "{\"kind\": \"oneOf\", \"values\": " + list((Collection<?>) field(validator, "validStrings")) + ", \"text\": " + text + "}";
      case "CaseInsensitiveValidString":
        return "{\"kind\": \"oneOf\", \"caseInsensitive\": true, \"values\": "
            + list(sorted((Collection<?>) field(validator, "validStrings"))) + ", \"text\": " + text + "}";
      case "ValidList": {
        Object valid = field(validator, "validString");
        String emptyAllowed = hasField(validator, "isEmptyAllowed") ? String.valueOf(field(validator, "isEmptyAllowed")) : "true";
        return "{\"kind\": \"listOf\", \"values\": " + list((Collection<?>) field(valid, "validStrings"))
            + ", \"emptyAllowed\": " + emptyAllowed + ", \"text\": " + text + "}";
      }
      default:
        return "{\"kind\": \"other\", \"text\": " + text + "}";
    }
  }

  private static List<String> sorted(Collection<?> values) {
    List<String> list = new ArrayList<>();
    for (Object value : values) list.add(String.valueOf(value));
    list.sort(null);
    return list;
  }

  private static String list(Collection<?> values) {
    StringBuilder out = new StringBuilder("[");
    for (Object value : values) out.append(out.length() > 1 ? ", " : "").append(quote(String.valueOf(value)));
    return out.append("]").toString();
  }

  private static String render(Object value) {
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder();
      for (Object item : list) out.append(out.length() > 0 ? "," : "").append(item);
      return out.toString();
    }
    return String.valueOf(value);
  }

  private static boolean hasField(Object target, String name) {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        c.getDeclaredField(name);
        return true;
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    return false;
  }

  private static Object field(Object target, String name) throws Exception {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(target.getClass().getName() + "." + name);
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : text.toCharArray()) {
      if (ch == '"' || ch == '\\') out.append('\\').append(ch);
      else if (ch < 0x20) out.append(String.format("\\u%04x", (int) ch));
      else out.append(ch);
    }
    return out.append('"').toString();
  }
}
