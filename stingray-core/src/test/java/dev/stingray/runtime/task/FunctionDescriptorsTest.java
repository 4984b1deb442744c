package dev.stingray.runtime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stingray.proto.JavaFunctionDescriptor;
import io.ray.api.function.RayFunc2;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

class FunctionDescriptorsTest {

    public static int add(int a, int b) {
        return a + b;
    }

    public static String add(String a, String b) {
        return a + b;
    }

    @Test
    void descriptorComesFromTheMethodReferenceWithItsJvmSignature() {
        RayFunc2<Integer, Integer, Integer> ints = FunctionDescriptorsTest::add;
        JavaFunctionDescriptor d = FunctionDescriptors.of(ints);
        assertThat(d.getClassName()).isEqualTo(FunctionDescriptorsTest.class.getName());
        assertThat(d.getFunctionName()).isEqualTo("add");
        assertThat(d.getSignature()).isEqualTo("(II)I");
        RayFunc2<String, String, String> strings = FunctionDescriptorsTest::add;
        assertThat(FunctionDescriptors.of(strings).getSignature()).isEqualTo("(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;");
    }

    @Test
    void resolvesOverloadsByDescriptorAndConstructorsByInit() {
        Method m = (Method) FunctionDescriptors.resolve(JavaFunctionDescriptor.newBuilder().setClassName(FunctionDescriptorsTest.class.getName())
                .setFunctionName("add").setSignature("(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;").build(), getClass().getClassLoader());
        assertThat(m.getReturnType()).isEqualTo(String.class);
        io.ray.api.function.RayFunc0<StringBuilder> ctor = StringBuilder::new;
        assertThat(FunctionDescriptors.of(ctor).getFunctionName()).isEqualTo("<init>");
    }

    @Test
    void unknownClassOrMethodGivesAClearError() {
        assertThatThrownBy(() -> FunctionDescriptors.resolve(JavaFunctionDescriptor.newBuilder().setClassName("com.example.Missing")
                .setFunctionName("run").setSignature("()V").build(), getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.example.Missing").hasMessageContaining("code-search-path");
        assertThatThrownBy(() -> FunctionDescriptors.resolve(JavaFunctionDescriptor.newBuilder().setClassName(FunctionDescriptorsTest.class.getName())
                .setFunctionName("subtract").setSignature("(II)I").build(), getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FunctionDescriptorsTest.subtract(II)I");
    }

    @Test
    void aMissingClassNamesItselfTheJobsCodeAndWhatToChange() {
        String message = FunctionDescriptors.classNotFound("org.example.Gone", "gcs://_stingray_pkg_ab.zip:/opt/lib.jar");
        assertThat(message).contains("org.example.Gone").contains("[gcs://_stingray_pkg_ab.zip, /opt/lib.jar]")
                .contains("packages the driver uploaded").contains("driver's class path").contains("java_jars");
        assertThatThrownBy(() -> FunctionDescriptors.resolve(JavaFunctionDescriptor.newBuilder().setClassName("org.example.Gone")
                .setFunctionName("f").setSignature("()V").build(), getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("org.example.Gone was not found");
    }
}
